/**
 * {@link RoomClient} tells the contract's story (join, `existingParticipants`, publish and
 * subscribe, `newParticipantArrived`, `participantLeft`, `receiveVideoAnswer`,
 * `iceCandidate`, leave) and owns the state; four parts do the work, and their module docs
 * tell their behaviour in full: the signaling session (`signaling-session.ts`: socket, join
 * attempts, reconnection), the peer manager (`peer-manager.ts`: peer connections,
 * candidates, rebuilds, the watchdog and stats loop), the roster (`roster.ts`: remote
 * participants, their subscriptions, grace timers, mute state) and the local media
 * (`local-media.ts`: camera and microphone, mute state told with `setMediaState`).
 *
 * @packageDocumentation
 */
import { readOptions } from './client-options.js';
import { InvalidStateError, SignalingError, checkBoolean, type RoomError } from './errors.js';
import { LocalMedia, type MediaSettings } from './local-media.js';
import { clientLog as log } from './log.js';
import { createMember, type Member } from './participant.js';
import { PeerManager } from './peer-manager.js';
import { Playback } from './playback.js';
import type { ErrorMessage, IceCandidateMessage, ServerMessage } from '../protocol/messages.js';
import { Roster } from './roster.js';
import { listen, safeEmit, type Listeners } from './safe-emitter.js';
import { SignalingSession } from './signaling-session.js';
import type { ConnectionState, Participant, RoomClientEvents, RoomClientOptions } from './types.js';

/** Logs (debug) a server message about `name`, who is not in the room, as ignored. */
const ignored = (id: ServerMessage['id'], name: string): void =>
  log.debug('Ignored, not in the room:', id, name);

export { DEFAULT_JOIN_TIMEOUT_MS, DEFAULT_REJOIN_GRACE_MS } from './client-options.js';

/**
 * A client of one room at a time, speaking the Kurento group-call contract
 * (`joinRoom`, `receiveVideoFrom`, `onIceCandidate`, `leaveRoom`; see `protocol/messages.ts`):
 * it publishes the camera on one send-only peer connection and subscribes to every other
 * participant on one receive-only peer connection each (native `RTCPeerConnection`).
 *
 * ```ts
 * const client = new RoomClient({ url: 'wss://example.com/groupcall' });
 * client.on('remoteStreamAdded', (participant, stream) => show(participant.name, stream));
 * await client.join('lobby', 'ada');
 * ```
 *
 * Failures that do not reject a call are emitted as `error` events (a {@link RoomError}
 * subclass); listener exceptions are caught and logged, never propagated. A bad server frame
 * emits a {@link SignalingError} `protocol` whose `code` says what was wrong
 * (`MALFORMED_FRAME`, `UNKNOWN_MESSAGE`, `INVALID_MESSAGE`, `UNKNOWN_PARTICIPANT`,
 * `UNEXPECTED_ANSWER`), and the client carries on.
 *
 * It re-joins by itself when the socket drops (`reconnecting`, `reconnected`; see
 * {@link RoomClientOptions.reconnectPolicy}), rebuilds a peer connection that fails or stops
 * decoding (`peerRestarted`), and tells the room its mute state (`setMediaState`). The
 * optional controls ({@link switchDevice}, {@link startScreenShare}, {@link setVideoPreset},
 * {@link getStats}, ...) are functions taking the client, so that an app ships only those
 * it imports.
 */
export class RoomClient {
  readonly #listeners: Listeners = {};
  readonly #emit = safeEmit(this.#listeners);
  /** @internal The constraints and bitrate cap; `setVideoPreset()` and `setMaxBitrate()` change them. */
  readonly settings: MediaSettings;
  readonly #session: SignalingSession;
  readonly #peers: PeerManager;
  readonly #roster: Roster;
  readonly #playback: Playback;
  #current: ConnectionState = 'disconnected';
  #roomName: string | null = null;
  #local: Member | null = null;
  /** This join's camera and microphone; null when not joined. */
  #localMedia: LocalMedia | null = null;
  /** Settles the pending `join()` call's promise (rejects with `error`, if given), until the room answers. */
  #settleJoin: ((error?: RoomError) => void) | null = null;

  /**
   * Creates a client; nothing connects until {@link RoomClient.join}.
   * Throws a `TypeError` if `options.url` is missing or not a `ws:`/`wss:` URL (a relative
   * or `http(s):` URL is resolved against the page and mapped to `ws(s):`), if
   * `joinTimeoutMs` or `stallTimeoutMs` is not a positive number, `rejoinGraceMs` is
   * negative, `reconnectPolicy` has no `nextRetryDelayInMs` method, `maxBitrateKbps` is
   * not a positive number, or `peerConnectionFactory` is not a function.
   */
  constructor(options: RoomClientOptions) {
    const config = readOptions(options);
    this.settings = config.settings;
    const emit = this.#emit;
    this.#playback = new Playback(emit);
    this.#session = new SignalingSession(config.url, config.joinTimeoutMs, config.policy, {
      message: (message) => this.#handle(message),
      invalid: (error) => this.#protocolError(error.message, error.code),
      reconnecting: (reason) => this.#onReconnecting(reason),
      ended: (error, report) => {
        this.#teardown('disconnected', error);
        if (report) emit('error', error);
      },
    });
    this.#peers = new PeerManager(
      {
        send: (message) => this.#session.send(message),
        emit,
        members: () => this.members(),
        rebuild: (member) => {
          if (this.#current !== 'connected') return undefined;
          if (member === this.#local) return this.#localMedia!.outgoing();
          return this.#roster.get(member.name) === member ? null : undefined;
        },
      },
      config.rtc,
      config.factory,
      config.stallTimeoutMs,
      (options.monitors ?? []).map((monitor) => monitor(emit)),
      config.negotiationTimeoutMs,
    );
    this.#roster = new Roster(emit, config.rejoinGraceMs, this.#peers);
  }

  /** The signaling state; changes are emitted as `connectionStateChanged`. */
  get state(): ConnectionState {
    return this.#current;
  }

  /** The room being joined, joined or re-joined; null when disconnected. */
  get room(): string | null {
    return this.#roomName;
  }

  /**
   * The local participant from `join()` until `leave()`; null otherwise. Its `stream` is
   * null until the camera opens, and stays null if it failed or `media` is `false`.
   */
  get localParticipant(): Participant | null {
    return this.#local?.view ?? null;
  }

  /**
   * The remote participants by name (the local one excluded); empty when disconnected.
   * Kept while `reconnecting`.
   */
  get participants(): ReadonlyMap<string, Participant> {
    return this.#roster.views;
  }

  /** True while a screen is sent in place of the camera (`startScreenShare(client)`). */
  get screenSharing(): boolean {
    return !!this.#localMedia?.state.screenSharing;
  }

  /** True while an attached element may not play for the autoplay policy (`playbackBlocked`), until `startPlayback()` works. */
  get playbackBlocked(): boolean {
    return this.#playback.blocked;
  }

  /**
   * Subscribes `listener` to `event`; returns the function that unsubscribes it. A listener
   * that throws is logged (`console.error`) and cannot break the others or the client.
   */
  on<E extends keyof RoomClientEvents>(event: E, listener: RoomClientEvents[E]): () => void {
    return listen(this.#listeners, event, listener);
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
    this.#assertOpen();
    if (this.#current !== 'disconnected') {
      throw new InvalidStateError('joined', 'Already joined; call leave() first.');
    }
    if (!room || !name || typeof room !== 'string' || typeof name !== 'string') {
      throw new InvalidStateError('arguments', 'join(room, name) needs two non-empty strings.');
    }
    const me = (this.#local = createMember(name, true));
    const media = (this.#localMedia = new LocalMedia(me, this.settings, this.#emit, (state) => {
      if (this.#current === 'connected') this.#session.send(state);
    }));
    this.#roomName = room;
    const joined = new Promise<void>((resolve, reject) => {
      this.#settleJoin = (error) => (error ? reject(error) : resolve());
    });
    this.#setState('connecting');
    if (this.#local !== me) return joined; // A listener already left.
    void media.start(() => this.#publish());
    this.#session.open(room, name);
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
    this.#assertOpen();
    const error = new InvalidStateError(
      'not-joined',
      'leave() was called before the room answered.',
    );
    this.#teardown('disconnected', error, true);
  }

  /**
   * Leaves (as {@link RoomClient.leave}) and goes `closed`, which is final: every method
   * but `on()` and `close()` rejects with `InvalidStateError('closed')` afterwards. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.#current === 'closed') return;
    this.#teardown(
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
   * new offer; with no frames at all, every subscriber's stall watchdog, ours after
   * `stallTimeoutMs` or another SDK's, would take the silence for a broken SFU and rebuild
   * its connection). By default the camera stays open (its light on) and turning it on is
   * instant; after `stopCameraWhenOff(client)` it is stopped, black frames are drawn instead,
   * and turning it on opens it again (resolving once it is sent). Sets
   * `localParticipant.videoMuted`, emits `localMediaStateChanged` when it changed and tells
   * the room as {@link RoomClient.setMicrophoneEnabled}; a screen share is sent regardless.
   * Rejects as {@link RoomClient.setMicrophoneEnabled}, or with the `MediaAccessError` of a
   * camera that would not open again (it stays off).
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
    this.#assertOpen();
    return this.#playback.attach(element, stream);
  }

  /**
   * Plays every attached element again; call it from a user gesture (a click) after
   * `playbackBlocked`. Emits `playbackStarted` once every one plays. Rejects with
   * `InvalidStateError('closed')`.
   */
  async startPlayback(): Promise<void> {
    this.#assertOpen();
    await this.#playback.start();
  }

  /**
   * @internal The hook of the optional media controls (`media-controls.ts`): this join's
   * local media controller, or, with `orNull`, null when not joined. Throws (rejecting
   * the async caller) `InvalidStateError('closed')`, and `not-joined` unless `orNull`.
   */
  media(orNull?: boolean): LocalMedia | null {
    this.#assertOpen();
    if (!this.#localMedia && !orNull)
      throw new InvalidStateError('not-joined', 'Call join() first.');
    return this.#localMedia;
  }

  // ------------------------------------------------------------ the protocol's story

  #handle(message: ServerMessage): void {
    try {
      switch (message.id) {
        case 'existingParticipants':
          return this.#onExistingParticipants(message.data);
        case 'newParticipantArrived':
          return this.#addRemote(message.name, true);
        case 'participantLeft':
          // Someone left: the roster closes their subscription, then emits `participantLeft`.
          return void (this.#roster.remove(message.name) || ignored(message.id, message.name));
        case 'receiveVideoAnswer':
          return this.#onAnswer(message.name, message.sdpAnswer);
        case 'iceCandidate':
          return this.#onCandidate(message);
        case 'participantMediaState':
          // Ours: a participant's mute state, for the roster; our own name is a protocol error.
          if (message.name === this.#local?.name) return this.#ourselves(message.name);
          return void (this.#roster.setMuteState(message) || ignored(message.id, message.name));
        case 'error':
          return this.#onServerError(message);
      }
    } catch (error) {
      log.error('Handling a message failed:', message.id, error);
    }
  }

  /** The room answered `joinRoom`: connected; subscribe to everyone listed, publish once the camera is open. */
  #onExistingParticipants(names: string[]): void {
    if (!this.#session.answered()) {
      return this.#protocolError('existingParticipants outside a join.', 'INVALID_MESSAGE');
    }
    const rejoined = this.#current === 'reconnecting';
    const settleJoin = this.#settleJoin;
    this.#settleJoin = null;
    this.#setState('connected');
    if (rejoined) this.#emit('reconnected');
    if (this.#current === 'connected') {
      this.#localMedia!.joined();
      this.#roster.expectBack(names);
      for (const name of names) this.#addRemote(name);
      this.#publish();
    }
    settleJoin?.();
  }

  /** Publishes on the send-only peer (`receiveVideoFrom` with our own name) once connected and the camera is open. */
  #publish(): void {
    const me = this.#local;
    if (this.#current === 'connected' && me?.stream && !me.peer) {
      this.#peers.connect(me, this.#localMedia!.outgoing());
    }
  }

  /** Someone is in the room: the roster subscribes to them (`participantJoined` if new). */
  #addRemote(name: string, arrived?: boolean): void {
    const me = this.#local;
    if (name === me?.name) return this.#ourselves(name);
    if (me) this.#roster.subscribe(name, arrived);
  }

  #onAnswer(name: string, sdp: string): void {
    const member = this.#member(name);
    if (!member) {
      return this.#protocolError(
        `receiveVideoAnswer for unknown "${name}".`,
        'UNKNOWN_PARTICIPANT',
      );
    }
    if (!this.#peers.answer(member, sdp)) {
      this.#protocolError(`receiveVideoAnswer for "${name}", with no offer.`, 'UNEXPECTED_ANSWER');
    }
  }

  /** Remote candidates go to the named peer (queued until its answer); late ones for someone who left are ignored. */
  #onCandidate({ name, candidate }: IceCandidateMessage): void {
    const member = this.#member(name);
    if (!member) return ignored('iceCandidate', name);
    this.#peers.addCandidate(member, candidate);
  }

  /** An `error` reply: fails the join in flight, or is emitted (a refused `setMediaState` once per join). */
  #onServerError({ code, message, request }: ErrorMessage): void {
    const error = new SignalingError('server', message, { code });
    if (this.#session.joining && (!request || request === 'joinRoom')) this.#session.fail(error);
    else if (request === 'setMediaState') this.#localMedia!.refused(error);
    else this.#emit('error', error);
  }

  /** The socket dropped after joining: `reconnecting`; every peer closes, the camera and the participants stay. */
  #onReconnecting(reason: SignalingError): void {
    this.#setState('reconnecting');
    for (const member of this.members()) this.#peers.unplug(member);
    if (this.#current === 'reconnecting') this.#emit('reconnecting', reason);
  }

  // ------------------------------------------------------------ plumbing

  /** Ends the session (`leaveRoom` if asked), closes every peer, stops the camera, then sets `next`. */
  #teardown(next: 'disconnected' | 'closed', joinError: RoomError, sayLeave = false): void {
    const settleJoin = this.#settleJoin;
    this.#settleJoin = null;
    this.#peers.watch(false);
    this.#localMedia?.stop();
    this.#localMedia = null;
    this.#playback.clear();
    this.#session.stop(sayLeave);
    const me = this.#local;
    this.#local = this.#roomName = null;
    this.#roster.clear();
    if (me) this.#peers.drop(me);
    this.#setState(next);
    settleJoin?.(joinError);
  }

  /** @internal The local participant, then the remote ones (for `getStats()`). */
  members(): Member[] {
    const remotes = this.#roster.list();
    return this.#local ? [this.#local, ...remotes] : remotes;
  }

  #member(name: string): Member | undefined {
    const me = this.#local;
    return me && name === me.name ? me : this.#roster.get(name);
  }

  /** The server named us where it should name someone else. */
  #ourselves(name: string): void {
    this.#protocolError(`The server announced "${name}": ourselves.`, 'INVALID_MESSAGE');
  }

  #protocolError(message: string, code: string): void {
    this.#emit('error', new SignalingError('protocol', message, { code }));
  }

  #assertOpen(): void {
    if (this.#current === 'closed') throw new InvalidStateError('closed', 'The client is closed.');
  }

  /** Every state change goes through here: no-ops are ignored, the rest logged and emitted. */
  #setState(next: ConnectionState): void {
    const previous = this.#current;
    if (previous === next) return;
    this.#current = next;
    this.#peers.watch(next === 'connected');
    this.#emit('connectionStateChanged', next, previous);
  }
}
