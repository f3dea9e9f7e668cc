/**
 * {@link RoomClient}: joins a room over the Kurento group-call contract, publishes the
 * camera on one send-only peer connection and subscribes to every other participant on
 * one receive-only peer connection each. Native `RTCPeerConnection`, no adapter.
 *
 * @packageDocumentation
 */
import { createNanoEvents } from 'nanoevents';
import {
  InvalidStateError,
  NegotiationError,
  RoomError,
  SignalingError,
  type MediaAccessError,
} from './errors.js';
import { LocalMedia, type MediaSettings } from './local-media.js';
import { logger } from './log.js';
import { DEFAULT_MEDIA, stopStream } from './media.js';
import { DEFAULT_STALL_TIMEOUT_MS, MediaWatchdog } from './media-watchdog.js';
import type { Emit, Monitor } from './monitor.js';
import { createMember, type Member } from './participant.js';
import { Peer, type Outgoing } from './peer.js';
import { Playback } from './playback.js';
import type {
  ClientMessage,
  ErrorMessage,
  IceCandidateMessage,
  ParticipantMediaStateMessage,
  ServerMessage,
} from '../protocol/index.js';
import { DefaultReconnectPolicy } from './reconnect-policy.js';
import { Signaling } from './signaling.js';
import type {
  ConnectionState,
  Participant,
  PeerRestartReason,
  ReconnectPolicy,
  RoomClientEvents,
  RoomClientOptions,
  VideoPreset,
} from './types.js';

const log = logger('client');

/** Logs (debug) a server message about `name`, who is not in the room, as ignored. */
const ignored = (id: ServerMessage['id'], name: string): void =>
  log.debug(`Ignored ${id} for "${name}", not in the room.`);

/** `RoomClientOptions.joinTimeoutMs` when not given, in ms. */
export const DEFAULT_JOIN_TIMEOUT_MS = 10_000;
/** `RoomClientOptions.rejoinGraceMs` when not given, in ms. */
export const DEFAULT_REJOIN_GRACE_MS = 10_000;

type Timer = ReturnType<typeof setTimeout>;

/** One signaling outage: when it began, the re-joins tried, the next one's timer. */
interface Outage {
  since: number;
  attempts: number;
  timer?: Timer;
}

/**
 * A client of one room at a time, speaking the Kurento group-call contract
 * (`joinRoom`, `receiveVideoFrom`, `onIceCandidate`, `leaveRoom`; see `protocol.ts`).
 *
 * ```ts
 * const client = new RoomClient({ url: 'wss://example.com/groupcall' });
 * client.on('remoteStreamAdded', (participant, stream) => show(participant.name, stream));
 * await client.join('lobby', 'ada');
 * ```
 *
 * Failures that do not reject a call are emitted as `error` events (a `RoomError`
 * subclass); listener exceptions are caught and logged, never propagated. A bad server
 * frame emits `SignalingError('protocol')` with `code` `MALFORMED_FRAME`, `UNKNOWN_MESSAGE`
 * or `INVALID_MESSAGE` (see `parseServerMessage`), `UNKNOWN_PARTICIPANT` for an answer naming
 * nobody, `UNEXPECTED_ANSWER` for an answer with no offer pending, or `INVALID_MESSAGE` for a
 * second `existingParticipants` or an arrival of this participant itself; the client
 * carries on. A `participantLeft` for a stranger or a candidate for someone gone is ignored;
 * a `newParticipantArrived` for someone already here re-subscribes to them (they re-joined).
 *
 * **Reconnection.** Every `join()` makes a random `sessionId` and sends it in each
 * `joinRoom`. When the socket drops after joining (any close but our own and
 * `CloseCode.REPLACED`), the client goes `reconnecting` (one `reconnecting` event), closes
 * every peer connection, keeps the camera and every `Participant`, and re-joins on the
 * reconnect policy with the same room, name and `sessionId` (a server that supports it
 * gives the name back without the others seeing a leave). Once the room answers it goes
 * `connected` (one `reconnected` event), republishes and resubscribes to everyone listed;
 * anyone known but not listed gets `rejoinGraceMs` to come back before `participantLeft`.
 * When the policy gives up: `disconnected`, and `error` with `SignalingError('reconnect-failed')`.
 *
 * **Self-healing media.** While connected, a peer connection that reaches `failed`, is
 * closed by something else, or (a subscription) stops decoding video for `stallTimeoutMs`
 * is rebuilt alone with a new offer (`peerRestarted`), with a backoff per participant.
 *
 * **Media controls.** Mute (`setMicrophoneEnabled`, `setCameraEnabled`) is a method and
 * changes the publisher in place, without a new offer; the room learns of it through our
 * `setMediaState` message (sent on each change while connected, and after every join and
 * re-join when something is muted, since a restarted server forgets), and the others'
 * states arrive as `participantMediaState` (`participant.audioMuted`/`videoMuted`,
 * `remoteMediaStateChanged`). Kurento's servers ignore the message; an `error` reply to it is
 * emitted once per `join()`, later ones only logged. The heavier, optional controls are
 * standalone functions taking the client, so that an app ships only those it imports (a
 * class's methods cannot be tree-shaken): `listDevices`, `getActiveDevice`, `switchDevice`,
 * `followDevices` (the fallback when the device in use goes away), `startScreenShare`,
 * `stopScreenShare`, `setMaxBitrate`, `setVideoPreset` and `getStats` (`media-controls.ts`).
 * One stats loop (a `getStats()` per peer connection every 250 ms while connected) feeds
 * the watchdog, `getStats()`, and the opt-in `monitors` (`activeSpeaker()`,
 * `connectionQuality()`). `attachMediaElement()` and `startPlayback()`
 * handle the autoplay policy.
 */
export class RoomClient {
  private readonly emitter = createNanoEvents<RoomClientEvents>();
  private readonly url: string;
  private readonly config: RTCConfiguration;
  /** @internal The constraints and bitrate cap; `setVideoPreset()` and `setMaxBitrate()` change them. */
  readonly settings: MediaSettings;
  private readonly joinTimeoutMs: number;
  private current: ConnectionState = 'disconnected';
  private roomName: string | null = null;
  private local: Member | null = null;
  private readonly remotes = new Map<string, Member>();
  private readonly views = new Map<string, Participant>();
  private readonly policy: ReconnectPolicy | null;
  private readonly rejoinGraceMs: number;
  private readonly watchdog: MediaWatchdog;
  private readonly monitors: Monitor[];
  private readonly playback: Playback;
  /** This join's camera and microphone; null when not joined. */
  private localMedia: LocalMedia | null = null;
  private signaling: Signaling | null = null;
  /** This join's secret, sent in every `joinRoom` so a re-join can take the name back. */
  private sessionId = '';
  /** The pending `join()` call's promise, until the room answers. */
  private joining: { resolve(): void; reject(error: RoomError): void } | null = null;
  /** The server refused a `setMediaState` during this `join()`: later refusals are not emitted. */
  private mediaStateRefused = false;
  /** The timeout of the `joinRoom` in flight (a join or a re-join); null when none is. */
  private attemptTimer: Timer | null = null;
  private outage: Outage | null = null;
  /** Known participants the room did not list on a re-join, with their grace timers. */
  private readonly graced = new Map<string, Timer>();

  /**
   * Creates a client; nothing connects until {@link RoomClient.join}.
   * Throws a `TypeError` if `options.url` is missing or not a `ws:`/`wss:` URL (a relative
   * or `http(s):` URL is resolved against the page and mapped to `ws(s):`), if
   * `joinTimeoutMs` or `stallTimeoutMs` is not a positive number, `rejoinGraceMs` is
   * negative, `reconnectPolicy` has no `nextRetryDelayInMs` method, or `maxBitrateKbps` is
   * not a positive number.
   */
  constructor(options: RoomClientOptions) {
    this.url = resolveUrl(options?.url);
    const timeout = options.joinTimeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS;
    const stall = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    const grace = options.rejoinGraceMs ?? DEFAULT_REJOIN_GRACE_MS;
    const policy = options.reconnectPolicy ?? new DefaultReconnectPolicy();
    let media = options.media ?? DEFAULT_MEDIA;
    if (media && 'width' in media) media = { audio: true, video: media };
    const video = media ? (media.video as Partial<VideoPreset> | boolean | undefined) : undefined;
    const kbps =
      options.maxBitrateKbps ?? (typeof video === 'object' ? video.maxBitrateKbps : undefined);
    if (!(timeout > 0) || !(stall > 0) || !(grace >= 0) || !(kbps === undefined || kbps > 0)) {
      throw new TypeError(
        'joinTimeoutMs, stallTimeoutMs, maxBitrateKbps must be > 0, rejoinGraceMs >= 0.',
      );
    }
    if (policy && typeof policy.nextRetryDelayInMs !== 'function') {
      throw new TypeError('reconnectPolicy must be false or have nextRetryDelayInMs().');
    }
    this.joinTimeoutMs = timeout;
    this.rejoinGraceMs = grace;
    this.policy = policy || null;
    this.config = { iceServers: options.iceServers ?? [] };
    this.settings = { media, maxBitrate: kbps && kbps * 1000, open: options.getUserMedia };
    const emit: Emit = (event, ...args) => this.emit(event, ...args);
    this.monitors = (options.monitors ?? []).map((factory) => factory(emit));
    this.playback = new Playback(emit);
    this.watchdog = new MediaWatchdog(
      () => this.members(),
      (member, reason) => this.restartPeer(member, reason),
      stall,
      () => {
        const members = this.members();
        for (const monitor of this.monitors) monitor.update(members);
      },
    );
  }

  /** The signaling state; changes are emitted as `connectionStateChanged`. */
  get state(): ConnectionState {
    return this.current;
  }

  /** The room being joined, joined or re-joined; null when disconnected. */
  get room(): string | null {
    return this.roomName;
  }

  /**
   * The local participant from `join()` until `leave()`; null otherwise. Its `stream` is
   * null until the camera opens, and stays null if it failed or `media` is `false`.
   */
  get localParticipant(): Participant | null {
    return this.local?.view ?? null;
  }

  /**
   * The remote participants by name (the local one excluded); empty when disconnected.
   * Kept while `reconnecting`.
   */
  get participants(): ReadonlyMap<string, Participant> {
    return this.views;
  }

  /** True while a screen is sent in place of the camera (`startScreenShare(client)`). */
  get screenSharing(): boolean {
    return !!this.localMedia?.state.screenSharing;
  }

  /** True while an attached element may not play for the autoplay policy (`playbackBlocked`), until `startPlayback()` works. */
  get playbackBlocked(): boolean {
    return this.playback.blocked;
  }

  /** Subscribes `listener` to `event` (nanoevents); returns the function that unsubscribes it. */
  on<E extends keyof RoomClientEvents>(event: E, listener: RoomClientEvents[E]): () => void {
    return this.emitter.on(event, listener);
  }

  /**
   * Joins `room` as `name`: opens the socket while the camera opens, sends `joinRoom`, and
   * resolves when the room answers with `existingParticipants` (state `connected`); then
   * subscribes to every participant in parallel and publishes once the camera is open.
   *
   * A camera failure does not reject: it emits `error` with a `MediaAccessError` and the
   * client joins receive-only. Rejects with an `InvalidStateError` (`closed`, `joined`,
   * `arguments`), or a `SignalingError`: `socket` (could not open, or closed first),
   * `server` with the server's `code` (e.g. `NAME_TAKEN`), `timeout` after `joinTimeoutMs`;
   * or an `InvalidStateError` (`not-joined`/`closed`) if `leave()`/`close()` came first.
   * After a rejection the state is `disconnected` again and `join()` may be retried.
   */
  async join(room: string, name: string): Promise<void> {
    this.assertOpen();
    if (this.current !== 'disconnected') {
      throw new InvalidStateError('joined', 'join() was already called; call leave() first.');
    }
    if (!room || !name || typeof room !== 'string' || typeof name !== 'string') {
      throw new InvalidStateError('arguments', 'join(room, name) needs two non-empty strings.');
    }
    const me = (this.local = createMember(name, true));
    const media = (this.localMedia = new LocalMedia(
      me,
      this.settings,
      (kind) => me.peer?.sender(kind),
      (event, ...args) => this.emit(event, ...args),
      (mute) => this.onLocalMediaState(mute),
    ));
    this.roomName = room;
    this.sessionId = randomId();
    this.mediaStateRefused = false;
    const joined = new Promise<void>((resolve, reject) => (this.joining = { resolve, reject }));
    this.setState('connecting');
    if (this.local !== me) return joined; // A listener already left.
    void this.openCamera(me, media);
    this.dial();
    return joined;
  }

  /**
   * Leaves the room: sends `leaveRoom`, closes every peer connection, stops the camera
   * (emitting `localStreamRemoved` and `remoteStreamRemoved`), closes the socket, and goes
   * `disconnected`. While `reconnecting` it stops retrying at once. `participantLeft` is not emitted for the others: they did not leave.
   * Resolves when not joined; a pending `join()` rejects with `InvalidStateError('not-joined')`.
   * Rejects with `InvalidStateError('closed')` after `close()`.
   */
  async leave(): Promise<void> {
    this.assertOpen();
    const error = new InvalidStateError(
      'not-joined',
      'leave() was called before the room answered.',
    );
    this.teardown('disconnected', error, true);
  }

  /**
   * Leaves (as {@link RoomClient.leave}) and goes `closed`, which is final: every method
   * but `on()` and `close()` rejects with `InvalidStateError('closed')` afterwards. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    this.teardown(
      'closed',
      new InvalidStateError('closed', 'close() was called before the room answered.'),
      true,
    );
  }

  // ------------------------------------------------------------ media controls

  /**
   * Mutes (`false`) or unmutes the microphone: `track.enabled`, so silence is sent on the
   * same connection (no new offer) and unmuting is instant. Sets `localParticipant.audioMuted`
   * and emits `localMediaStateChanged` when it changed, and tells the room (`setMediaState`)
   * when connected; holds for the microphone still opening and for devices switched later.
   * Rejects with `InvalidStateError` (`closed`, `not-joined`, `arguments`).
   */
  async setMicrophoneEnabled(enabled: boolean): Promise<void> {
    await this.media()!.setMuted('audio', !checkBoolean(enabled));
  }

  /**
   * Turns the camera off (`false`) or on: `track.enabled` (Media Capture and Streams,
   * #dom-mediastreamtrack-enabled), so black frames keep flowing on the same connection (no
   * new offer): with no frames at all, every subscriber's stall watchdog (ours, after
   * `stallTimeoutMs`, or another SDK's on any server) would take the silence for a broken
   * SFU and rebuild its connection. By default the camera stays open (its light stays on)
   * and turning it on is instant; after `stopCameraWhenOff(client)` it is stopped and black
   * frames are drawn instead, and turning it on opens it again (resolving once it is sent).
   * Sets `localParticipant.videoMuted`, emits `localMediaStateChanged` when it changed and
   * tells the room as {@link RoomClient.setMicrophoneEnabled}; a screen share is sent
   * regardless. Rejects as {@link RoomClient.setMicrophoneEnabled}, or with the
   * `MediaAccessError` of a camera that would not open again (it stays off).
   */
  async setCameraEnabled(enabled: boolean): Promise<void> {
    await this.media()!.setMuted('video', !checkBoolean(enabled));
  }

  /**
   * Plays `stream` in `element` (`srcObject`, `play()`), and keeps the element until the
   * returned function is called or the client leaves, for {@link RoomClient.startPlayback}.
   * When the autoplay policy refuses (`NotAllowedError`), emits `playbackBlocked` once.
   * Throws `InvalidStateError('closed')`.
   */
  attachMediaElement(element: HTMLMediaElement, stream: MediaStream): () => void {
    this.assertOpen();
    return this.playback.attach(element, stream);
  }

  /**
   * Plays every attached element again; call it from a user gesture (a click) after
   * `playbackBlocked`. Emits `playbackStarted` once every one plays. Rejects with
   * `InvalidStateError('closed')`.
   */
  async startPlayback(): Promise<void> {
    this.assertOpen();
    await this.playback.start();
  }

  /**
   * `participantMediaState` (ours): the room relays a participant's mute state. Sets
   * `participant.audioMuted`/`videoMuted` and emits `remoteMediaStateChanged` when they
   * changed; kept through reconnections and peer restarts until the room says otherwise or
   * the participant leaves. A stranger's state is ignored; our own name is a protocol error.
   */
  private onRemoteMediaState({ name, audioMuted, videoMuted }: ParticipantMediaStateMessage): void {
    const member = this.member(name);
    if (member === this.local) return this.ourselves(name);
    if (!member) return ignored('participantMediaState', name);
    this.setRemoteState(member, audioMuted, videoMuted);
  }

  /** Sets a remote participant's mute state; emits `remoteMediaStateChanged` when it changed. */
  private setRemoteState(member: Member, audioMuted: boolean, videoMuted: boolean): void {
    if (member.audioMuted === audioMuted && member.videoMuted === videoMuted) return;
    member.audioMuted = audioMuted;
    member.videoMuted = videoMuted;
    this.emit('remoteMediaStateChanged', member.view, { audioMuted, videoMuted });
  }

  /**
   * The local mute or screen-share state changed: tells the app, and for a mute change while
   * connected, the room (`setMediaState`, which foreign servers ignore).
   */
  private onLocalMediaState(mute?: boolean): void {
    if (!this.localMedia) return;
    this.emit('localMediaStateChanged', this.localMedia.state);
    if (mute) this.sendMediaState();
  }

  /** Sends our mute state (`setMediaState`) when connected. */
  private sendMediaState(): void {
    const me = this.local;
    if (me && this.current === 'connected') {
      const { audioMuted, videoMuted } = me;
      this.send({ id: 'setMediaState', audioMuted, videoMuted });
    }
  }

  /**
   * @internal The hook of the optional media controls (`media-controls.ts`): this join's
   * local media controller, or, with `orNull`, null when not joined. Throws (rejecting
   * the async caller) `InvalidStateError('closed')`, and `not-joined` unless `orNull`.
   *
   * The controls are standalone functions taking the client, not methods, because a
   * class's methods cannot be tree-shaken: an app that never shares a screen or switches
   * a device should not ship that code. One accessor, rather than plugins registered in the
   * options, keeps them usable on any client without setup, and keeps the client's own
   * state (connection, peers) out of their reach.
   */
  media(orNull?: boolean): LocalMedia | null {
    this.assertOpen();
    if (!this.localMedia && !orNull) {
      throw new InvalidStateError('not-joined', 'Call join() first.');
    }
    return this.localMedia;
  }

  // ------------------------------------------------------------ the protocol's story

  private handle(message: ServerMessage): void {
    try {
      switch (message.id) {
        case 'existingParticipants':
          return this.onExistingParticipants(message.data);
        case 'newParticipantArrived':
          return this.addRemote(message.name, true);
        case 'participantLeft':
          return this.removeRemote(message.name);
        case 'receiveVideoAnswer':
          return this.onAnswer(message.name, message.sdpAnswer);
        case 'iceCandidate':
          return this.onCandidate(message);
        case 'participantMediaState':
          return this.onRemoteMediaState(message);
        case 'error':
          return this.onServerError(message);
      }
    } catch (error) {
      log.error(`Handling "${message.id}" failed:`, error);
    }
  }

  /** Opens a socket and sends `joinRoom`; the room's answer, an error reply, a lost socket or `joinTimeoutMs` settles it. */
  private dial(): void {
    const { name } = this.local!;
    const room = this.roomName!;
    const sessionId = this.sessionId;
    this.attemptTimer = setTimeout(() => {
      this.failAttempt(
        new SignalingError('timeout', `No answer to joinRoom in ${this.joinTimeoutMs} ms.`),
      );
    }, this.joinTimeoutMs);
    try {
      this.signaling = new Signaling(this.url, {
        open: () => this.send({ id: 'joinRoom', name, room, sessionId }),
        message: (message) => this.handle(message),
        invalid: (error) => this.protocolError(error.message, error.code),
        lost: (error) => this.onSocketLost(error),
      });
    } catch (cause) {
      this.failAttempt(new SignalingError('socket', `Cannot open ${this.url}.`, { cause }));
    }
  }

  /**
   * The room answered `joinRoom`: connected. After a re-join, the known participants not
   * listed get their grace period. Subscribe to everyone listed; publish when the camera is ready.
   */
  private onExistingParticipants(names: string[]): void {
    if (this.attemptTimer === null)
      return this.protocolError('existingParticipants came outside a join.', 'INVALID_MESSAGE');
    clearTimeout(this.attemptTimer);
    this.attemptTimer = null;
    this.outage = null;
    const rejoined = this.current === 'reconnecting';
    const joining = this.joining;
    this.joining = null;
    this.setState('connected');
    if (rejoined) this.emit('reconnected');
    if (this.current === 'connected') {
      // The server forgets a mute state on a restart, and a newcomer must see it at once.
      const me = this.local!;
      if (me.audioMuted || me.videoMuted) this.sendMediaState();
      const listed = new Set(names);
      for (const name of this.remotes.keys()) if (!listed.has(name)) this.startGrace(name);
      for (const name of names) this.addRemote(name);
      this.publish();
    }
    joining?.resolve();
  }

  /** Opens the camera in parallel with signaling; publishes if the room already answered. */
  private async openCamera(me: Member, media: LocalMedia): Promise<void> {
    try {
      if (!(await media.open())) return; // Nothing to open, or left meanwhile.
    } catch (error) {
      if (this.local === me) this.emit('error', error as MediaAccessError);
      return;
    }
    me.stream = media.stream;
    this.emit('localStreamAdded', media.stream);
    this.publish();
  }

  /** Publishes on the send-only peer (`receiveVideoFrom` with our own name) once connected and the camera is open. */
  private publish(): void {
    const me = this.local;
    if (this.current === 'connected' && me?.stream && !me.peer) {
      this.connect(me, this.localMedia!.outgoing());
    }
  }

  /**
   * Someone is in the room: subscribe to them on a receive-only peer, then tell the app.
   * Someone already known (back after a reconnection, or re-joined on a server that sent
   * no `participantLeft`) gets a new subscription and no event; when they `arrived`
   * (`newParticipantArrived`), their mute state starts again at the default, as the room's
   * does (they send theirs once joined).
   */
  private addRemote(name: string, arrived?: boolean): void {
    const me = this.local;
    if (!me) return;
    if (name === me.name) return this.ourselves(name);
    const known = this.remotes.get(name);
    if (known) {
      if (arrived) this.setRemoteState(known, false, false);
      this.endGrace(name);
      this.unplug(known);
      return this.connect(known, null);
    }
    const member = createMember(name, false);
    this.remotes.set(name, member);
    this.views.set(name, member.view);
    this.connect(member, null);
    this.emit('participantJoined', member.view);
  }

  private removeRemote(name: string): void {
    const member = this.remotes.get(name);
    if (!member) return ignored('participantLeft', name);
    this.endGrace(name);
    this.remotes.delete(name);
    this.views.delete(name);
    this.drop(member);
    this.emit('participantLeft', member.view);
  }

  /** Creates `member`'s peer and sends its offer; `send` publishes, null subscribes. */
  private connect(member: Member, send: Outgoing | null): void {
    const { name } = member;
    try {
      member.peer = new Peer(name, this.config, send, {
        offer: (sdpOffer) => this.send({ id: 'receiveVideoFrom', sender: name, sdpOffer }),
        candidate: (candidate) => this.send({ id: 'onIceCandidate', name, candidate }),
        track: (event) => this.onTrack(member, event),
        state: (state) => {
          member.state = state;
          this.emit('peerStateChanged', member.view, state);
        },
        broken: (reason) => this.watchdog.report(member, reason),
        error: (error) => this.emit('error', error),
      });
    } catch (cause) {
      // An invalid RTCConfiguration (iceServers) makes the constructor throw.
      return this.emit(
        'error',
        new NegotiationError('offer', name, `Cannot create a peer for ${name}.`, { cause }),
      );
    }
    for (const candidate of member.early) member.peer.addCandidate(candidate);
    member.early = [];
    void member.peer.negotiate();
  }

  private onAnswer(name: string, sdp: string): void {
    const member = this.member(name);
    if (!member?.peer) {
      return member
        ? this.protocolError(
            `receiveVideoAnswer for "${name}", with no offer.`,
            'UNEXPECTED_ANSWER',
          )
        : this.protocolError(`receiveVideoAnswer for unknown "${name}".`, 'UNKNOWN_PARTICIPANT');
    }
    void member.peer.answer(sdp);
  }

  /** Remote candidates go to the named peer (queued there until its answer); late ones for someone who left are ignored. */
  private onCandidate({ name, candidate }: IceCandidateMessage): void {
    const member = this.member(name);
    if (!member) return ignored('iceCandidate', name);
    if (member.peer) member.peer.addCandidate(candidate);
    else member.early.push(candidate);
  }

  /** One MediaStream per participant; `remoteStreamAdded` on its first track. */
  private onTrack(member: Member, { track, streams }: RTCTrackEvent): void {
    const stream = member.stream;
    if (stream) {
      if (!stream.getTrackById(track.id)) stream.addTrack(track);
      return;
    }
    member.stream = streams[0] ?? new MediaStream([track]);
    this.emit('remoteStreamAdded', member.view, member.stream);
  }

  /**
   * An `error` reply: fails the join in flight, or is emitted. A refused `setMediaState` (a
   * server that does not know it) is emitted once per `join()`, the rest logged at debug.
   */
  private onServerError({ code, message, request }: ErrorMessage): void {
    const error = new SignalingError('server', message, { code });
    if (this.attemptTimer !== null && (!request || request === 'joinRoom')) this.failAttempt(error);
    else if (request !== 'setMediaState' || !this.mediaStateRefused) this.emit('error', error);
    else log.debug('setMediaState refused again:', message);
    this.mediaStateRefused ||= request === 'setMediaState';
  }

  /**
   * The socket could not open or closed: a join or re-join in flight failed; a connected
   * client reconnects, unless it was replaced or has no policy (then `error` and disconnected).
   */
  private onSocketLost(error: SignalingError): void {
    this.signaling = null;
    if (this.attemptTimer !== null) return this.failAttempt(error);
    if (error.reason === 'replaced' || !this.policy) {
      this.teardown('disconnected', error);
      return this.emit('error', error);
    }
    this.outage = { since: performance.now(), attempts: 0 };
    this.setState('reconnecting');
    for (const member of this.members()) this.unplug(member);
    if (this.current === 'reconnecting') this.emit('reconnecting', error);
    this.retry(error);
  }

  /** The join or re-join in flight failed: a join rejects; a re-join asks the policy again. */
  private failAttempt(error: RoomError): void {
    clearTimeout(this.attemptTimer ?? undefined);
    this.attemptTimer = null;
    if (this.current !== 'reconnecting') return this.teardown('disconnected', error);
    this.signaling?.close();
    this.signaling = null;
    this.retry(error);
  }

  /** Asks the reconnect policy when to re-join; on `null` (or a throw), gives up. */
  private retry(reason: RoomError): void {
    const outage = this.outage;
    if (!outage || this.current !== 'reconnecting') return;
    const elapsedMs = performance.now() - outage.since;
    let delay: number | null = null;
    try {
      delay = this.policy!.nextRetryDelayInMs({ attempt: outage.attempts, elapsedMs, reason });
    } catch (error) {
      log.error('The reconnect policy threw:', error);
    }
    if (delay === null) {
      const error = new SignalingError(
        'reconnect-failed',
        `Gave up reconnecting after ${outage.attempts} attempts: ${reason.message}`,
        { cause: reason },
      );
      this.teardown('disconnected', error);
      return this.emit('error', error);
    }
    log.info(`Re-joining in ${delay} ms (attempt ${outage.attempts + 1}).`);
    outage.timer = setTimeout(
      () => {
        outage.attempts += 1;
        this.dial();
      },
      Number.isFinite(delay) && delay > 0 ? delay : 0,
    );
  }

  /** A participant not listed on a re-join: `participantLeft` unless they arrive within `rejoinGraceMs`. */
  private startGrace(name: string): void {
    if (this.graced.has(name)) return;
    this.graced.set(
      name,
      setTimeout(() => this.removeRemote(name), this.rejoinGraceMs),
    );
  }

  private endGrace(name: string): void {
    clearTimeout(this.graced.get(name));
    this.graced.delete(name);
  }

  /**
   * Rebuilds `member`'s peer alone, for the media watchdog: a new offer for the same
   * sender (the server replaces the endpoint). Returns false when not connected or gone.
   */
  private restartPeer(member: Member, reason: PeerRestartReason): boolean {
    const local = member === this.local;
    if (this.current !== 'connected' || !member.peer) return false;
    if (!local && this.remotes.get(member.name) !== member) return false;
    log.info(`Rebuilding the peer connection of ${member.name} (${reason}).`);
    this.unplug(member);
    this.connect(member, local ? this.localMedia!.outgoing() : null);
    this.emit('peerRestarted', member.view, reason);
    return true;
  }

  // ------------------------------------------------------------ plumbing

  /**
   * Ends the session: rejects a pending join with `joinError`, says `leaveRoom` if asked,
   * closes the socket and every peer, stops the camera, then sets `next`.
   */
  private teardown(next: 'disconnected' | 'closed', joinError: RoomError, sayLeave = false): void {
    const joining = this.joining;
    this.joining = null;
    clearTimeout(this.attemptTimer ?? undefined);
    clearTimeout(this.outage?.timer);
    this.attemptTimer = this.outage = null;
    for (const timer of this.graced.values()) clearTimeout(timer);
    this.graced.clear();
    this.watchdog.stop();
    this.localMedia?.stop();
    this.localMedia = null;
    this.playback.clear();
    const signaling = this.signaling;
    this.signaling = null;
    if (sayLeave) signaling?.send({ id: 'leaveRoom' });
    signaling?.close();
    const members = [...this.remotes.values()];
    const me = this.local;
    this.remotes.clear();
    this.views.clear();
    this.local = this.roomName = null;
    for (const member of members) this.drop(member);
    if (me) this.drop(me);
    this.setState(next);
    joining?.reject(joinError);
  }

  /** Closes `member`'s peer and removes its stream, stopping it if it is the camera. */
  private drop(member: Member): void {
    this.unplug(member);
    const stream = member.stream;
    if (!stream) return;
    member.stream = null;
    stopStream(stream);
    this.emit('localStreamRemoved', stream);
  }

  /** Closes `member`'s peer (`peerStateChanged` `closed`) and removes a remote stream; keeps the camera. */
  private unplug(member: Member): void {
    const { peer, stream } = member;
    member.peer = null;
    member.early = [];
    member.samples = [];
    if (peer) {
      peer.close();
      member.state = 'closed';
      this.emit('peerStateChanged', member.view, 'closed');
    }
    if (!stream || member.view.isLocal) return;
    member.stream = null;
    this.emit('remoteStreamRemoved', member.view, stream);
  }

  /** @internal The local participant, then the remote ones (for `getStats()`). */
  members(): Member[] {
    const remotes = [...this.remotes.values()];
    return this.local ? [this.local, ...remotes] : remotes;
  }

  private member(name: string): Member | undefined {
    const me = this.local;
    return me && name === me.name ? me : this.remotes.get(name);
  }

  private send(message: ClientMessage): void {
    if (!this.signaling?.send(message)) log.debug(`Not sent (socket not open): ${message.id}`);
  }

  /** The server named us where it should name someone else. */
  private ourselves(name: string): void {
    this.protocolError(`The server announced "${name}": ourselves.`, 'INVALID_MESSAGE');
  }

  private protocolError(message: string, code: string): void {
    this.emit('error', new SignalingError('protocol', message, { code }));
  }

  private assertOpen(): void {
    if (this.current === 'closed') throw new InvalidStateError('closed', 'The client is closed.');
  }

  /** Every state change goes through here: no-ops are ignored, the rest logged and emitted. */
  private setState(next: ConnectionState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    if (next === 'connected') this.watchdog.start();
    else this.watchdog.stop();
    log.debug(`${previous} -> ${next}`);
    this.emit('connectionStateChanged', next, previous);
  }

  /** Emits to every listener; a listener that throws is logged and cannot break the others or the SDK. */
  private emit<E extends keyof RoomClientEvents>(
    event: E,
    ...args: Parameters<RoomClientEvents[E]>
  ): void {
    const listeners = this.emitter.events[event] ?? [];
    if (event === 'error' && !listeners.length) log.warn('Unhandled error event:', args[0]);
    for (const listener of listeners) {
      try {
        (listener as (...values: unknown[]) => void)(...args);
      } catch (error) {
        log.error(`A "${event}" listener threw:`, error);
      }
    }
  }
}

/** @internal */
export function badArguments(what: string): InvalidStateError {
  return new InvalidStateError('arguments', `Invalid ${what}.`);
}

function checkBoolean(value: boolean): boolean {
  if (typeof value !== 'boolean') throw badArguments('enabled (a boolean)');
  return value;
}

/** 32 random hex digits (getRandomValues also works on insecure origins, unlike randomUUID). */
function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Resolves `url` against the page, maps `http(s):` to `ws(s):`; throws a TypeError unless it ends `ws:`/`wss:`. */
function resolveUrl(url: unknown): string {
  if (typeof url === 'string' && url) {
    try {
      const resolved = new URL(url, globalThis.location?.href);
      resolved.protocol = resolved.protocol.replace(/^http/, 'ws');
      if (resolved.protocol === 'ws:' || resolved.protocol === 'wss:') return resolved.href;
    } catch {
      // Not a URL: the TypeError below.
    }
  }
  throw new TypeError(`RoomClientOptions.url must be a ws: or wss: URL; got ${String(url)}.`);
}
