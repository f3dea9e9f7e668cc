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
import { logger } from './log.js';
import { DEFAULT_MEDIA, openMedia, stopStream } from './media.js';
import { createMember, type Member } from './participant.js';
import { Peer } from './peer.js';
import type {
  ClientMessage,
  ErrorMessage,
  IceCandidateMessage,
  ServerMessage,
} from './protocol.js';
import { Signaling } from './signaling.js';
import type { ConnectionState, Participant, RoomClientEvents, RoomClientOptions } from './types.js';

const log = logger('client');

/** `RoomClientOptions.joinTimeoutMs` when not given, in ms. */
export const DEFAULT_JOIN_TIMEOUT_MS = 10_000;

interface PendingJoin {
  resolve(): void;
  reject(error: RoomError): void;
  timer: ReturnType<typeof setTimeout>;
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
 * nobody, or `UNEXPECTED_ANSWER` for an answer with no offer pending; the client carries on.
 */
export class RoomClient {
  private readonly emitter = createNanoEvents<RoomClientEvents>();
  private readonly url: string;
  private readonly config: RTCConfiguration;
  private readonly media: MediaStreamConstraints | false;
  private readonly joinTimeoutMs: number;
  private current: ConnectionState = 'disconnected';
  private roomName: string | null = null;
  private local: Member | null = null;
  private readonly remotes = new Map<string, Member>();
  private readonly views = new Map<string, Participant>();
  private signaling: Signaling | null = null;
  private pendingJoin: PendingJoin | null = null;

  /**
   * Creates a client; nothing connects until {@link RoomClient.join}.
   * Throws a `TypeError` if `options.url` is missing or not a `ws:`/`wss:` URL (a relative
   * or `http(s):` URL is resolved against the page and mapped to `ws(s):`), or if
   * `joinTimeoutMs` is not a positive number.
   */
  constructor(options: RoomClientOptions) {
    this.url = resolveUrl(options?.url);
    const timeout = options.joinTimeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS;
    if (!(timeout > 0)) throw new TypeError('joinTimeoutMs must be a positive number of ms.');
    this.joinTimeoutMs = timeout;
    this.config = { iceServers: options.iceServers ?? [] };
    this.media = options.media ?? DEFAULT_MEDIA;
  }

  /** The signaling state; changes are emitted as `connectionStateChanged`. */
  get state(): ConnectionState {
    return this.current;
  }

  /** The room being joined or joined; null when disconnected. */
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

  /** The remote participants by name (the local one excluded); empty when disconnected. */
  get participants(): ReadonlyMap<string, Participant> {
    return this.views;
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
    this.roomName = room;
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new SignalingError(
          'timeout',
          `No answer to joinRoom in ${this.joinTimeoutMs} ms.`,
        );
        this.teardown('disconnected', error);
      }, this.joinTimeoutMs);
      this.pendingJoin = { resolve, reject, timer };
    });
    this.setState('connecting');
    if (this.local !== me) return joined; // A listener already left.
    if (this.media) void this.openCamera(me, this.media);
    try {
      this.signaling = new Signaling(this.url, {
        open: () => this.send({ id: 'joinRoom', name, room }),
        message: (message) => this.handle(message),
        invalid: (error) => this.protocolError(error.message, error.code),
        lost: (error) => this.onSocketLost(error),
      });
    } catch (cause) {
      this.teardown(
        'disconnected',
        new SignalingError('socket', `Cannot open ${this.url}.`, { cause }),
      );
    }
    return joined;
  }

  /**
   * Leaves the room: sends `leaveRoom`, closes every peer connection, stops the camera
   * (emitting `localStreamRemoved` and `remoteStreamRemoved`), closes the socket, and goes
   * `disconnected`. `participantLeft` is not emitted for the others: they did not leave.
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

  // ------------------------------------------------------------ the protocol's story

  private handle(message: ServerMessage): void {
    try {
      switch (message.id) {
        case 'existingParticipants':
          return this.onExistingParticipants(message.data);
        case 'newParticipantArrived':
          return this.addRemote(message.name);
        case 'participantLeft':
          return this.removeRemote(message.name);
        case 'receiveVideoAnswer':
          return this.onAnswer(message.name, message.sdpAnswer);
        case 'iceCandidate':
          return this.onCandidate(message);
        case 'error':
          return this.onServerError(message);
      }
    } catch (error) {
      log.error(`Handling "${message.id}" failed:`, error);
    }
  }

  /** The room answered `joinRoom`: connected; subscribe to everyone, publish when the camera is ready. */
  private onExistingParticipants(names: string[]): void {
    const join = this.pendingJoin;
    if (!join)
      return this.protocolError('existingParticipants came outside join().', 'INVALID_MESSAGE');
    this.pendingJoin = null;
    clearTimeout(join.timer);
    this.setState('connected');
    for (const name of names) this.addRemote(name);
    this.publish();
    join.resolve();
  }

  /** Opens the camera in parallel with signaling; publishes if the room already answered. */
  private async openCamera(me: Member, constraints: MediaStreamConstraints): Promise<void> {
    let stream: MediaStream;
    try {
      stream = await openMedia(constraints);
    } catch (error) {
      if (this.local === me) this.emit('error', error as MediaAccessError);
      return;
    }
    if (this.local !== me) return stopStream(stream); // Left meanwhile.
    me.stream = stream;
    this.emit('localStreamAdded', stream);
    this.publish();
  }

  /** Publishes on the send-only peer (`receiveVideoFrom` with our own name) once connected and the camera is open. */
  private publish(): void {
    const me = this.local;
    if (this.current === 'connected' && me?.stream && !me.peer) this.connect(me, me.stream);
  }

  /** Someone is in the room: subscribe to them on a receive-only peer, then tell the app. */
  private addRemote(name: string): void {
    const me = this.local;
    if (!me || name === me.name || this.remotes.has(name)) return;
    const member = createMember(name, false);
    this.remotes.set(name, member);
    this.views.set(name, member.view);
    this.connect(member, null);
    this.emit('participantJoined', member.view);
  }

  private removeRemote(name: string): void {
    const member = this.remotes.get(name);
    if (!member) return;
    this.remotes.delete(name);
    this.views.delete(name);
    this.drop(member);
    this.emit('participantLeft', member.view);
  }

  /** Creates `member`'s peer and sends its offer; `stream` publishes, null subscribes. */
  private connect(member: Member, stream: MediaStream | null): void {
    const { name } = member;
    try {
      member.peer = new Peer(name, this.config, stream, {
        offer: (sdpOffer) => this.send({ id: 'receiveVideoFrom', sender: name, sdpOffer }),
        candidate: (candidate) => this.send({ id: 'onIceCandidate', name, candidate }),
        track: (event) => this.onTrack(member, event),
        state: (state) => {
          member.state = state;
          this.emit('peerStateChanged', member.view, state);
        },
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
    const peer = this.member(name)?.peer;
    if (!peer)
      return this.protocolError(`receiveVideoAnswer for unknown "${name}".`, 'UNKNOWN_PARTICIPANT');
    void peer.answer(sdp);
  }

  /** Remote candidates go to the named peer (queued there until its answer); late ones for someone who left are ignored. */
  private onCandidate({ name, candidate }: IceCandidateMessage): void {
    const member = this.member(name);
    if (!member) return log.debug(`Ignored a candidate for "${name}", who is not in the room.`);
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

  private onServerError({ code, message, request }: ErrorMessage): void {
    const error = new SignalingError('server', message, { code });
    if (this.pendingJoin && (!request || request === 'joinRoom'))
      this.teardown('disconnected', error);
    else this.emit('error', error);
  }

  /** The socket could not open (join rejects) or dropped while connected (error event). */
  private onSocketLost(error: SignalingError): void {
    const joining = !!this.pendingJoin;
    this.teardown('disconnected', error);
    if (!joining) this.emit('error', error);
  }

  // ------------------------------------------------------------ plumbing

  /**
   * Ends the session: rejects a pending join with `joinError`, says `leaveRoom` if asked,
   * closes the socket and every peer, stops the camera, then sets `next`.
   */
  private teardown(next: 'disconnected' | 'closed', joinError: RoomError, sayLeave = false): void {
    const join = this.pendingJoin;
    this.pendingJoin = null;
    if (join) clearTimeout(join.timer);
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
    join?.reject(joinError);
  }

  /** Closes `member`'s peer and removes its stream (stopping it if it is the camera). */
  private drop(member: Member): void {
    if (member.peer) {
      member.peer.close();
      member.state = 'closed';
    }
    const stream = member.stream;
    member.stream = null;
    if (!stream) return;
    if (member.view.isLocal) {
      stopStream(stream);
      this.emit('localStreamRemoved', stream);
    } else {
      this.emit('remoteStreamRemoved', member.view, stream);
    }
  }

  private member(name: string): Member | undefined {
    const me = this.local;
    return me && name === me.name ? me : this.remotes.get(name);
  }

  private send(message: ClientMessage): void {
    if (!this.signaling?.send(message)) log.debug(`Not sent (socket not open): ${message.id}`);
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
