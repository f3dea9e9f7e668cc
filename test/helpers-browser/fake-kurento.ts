// A scripted Kurento group-call server inside the test page (../../shared/FIELD-NOTES.md
// section 1), for the client and the element tests. The signaling socket is mocked with
// msw's `ws.link()` (./msw-network.ts); media is real: each `receiveVideoFrom` offer is
// answered by an RTCPeerConnection in the page (a loopback "fake SFU" endpoint) that sends
// the fake camera to subscribers and receives from the publisher, so descriptions and
// candidates really apply and frames really flow.
//
// By default it plays the contract between any number of sockets: rooms, the
// `existingParticipants` reply, `newParticipantArrived` and `participantLeft` to the others,
// `error NAME_TAKEN` for a name in use (unless the `joinRoom` carries the holder's
// `sessionId`: then it takes the name over and the holder is closed with 4001 REPLACED), and
// participants with no client behind them (`arrive()`, `depart()`, `forget()`,
// `setMediaState()`), and the mute state as the reference server keeps it (`setMediaState`
// relayed as `participantMediaState` to the others, and everyone's sent to a joiner after its
// `existingParticipants`). Options script
// what a test needs instead (its own join reply, no answers, candidates before the answer, a
// refused socket), `send()` sends any frame, and the faults of the real world are methods:
// `closeSocket()`, `refuseNext()`, `stopVideo()`, or an endpoint's `pc.close()`. Each
// endpoint sends its own clones of the camera's tracks, so one participant can fall silent
// (`silent`, `setAudioEnabled()`) while the others beep on.
import { ws, type WebSocketHandlerConnection } from 'msw';
import {
  parseClientMessage,
  serializeMessage,
  type ClientMessage,
  type IceCandidateInit,
  type JoinRoomMessage,
  type ServerMessage,
  type SetMediaStateMessage,
} from '../../packages/sdk/src/protocol/index.js';
import { network } from './msw-network.js';
import { Recorder, deferred } from './wait.js';

/** Captured before any test wraps or stubs them, so the server's peers and camera are its own. */
const NativePeerConnection = window.RTCPeerConnection;
const nativeGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
let camera: Promise<MediaStream> | null = null;

/** The fake camera the server sends as every remote participant's media. */
function serverCamera(): Promise<MediaStream> {
  return (camera ??= nativeGetUserMedia({ audio: true, video: { width: 320, height: 240 } }));
}

/** The server side of one `receiveVideoFrom`: a media endpoint for `sender`'s media. */
export interface Endpoint {
  pc: RTCPeerConnection;
  /** Settles when the answer has been sent. */
  answered: Promise<void>;
  /** Tracks received from the client (the publisher endpoint only). */
  tracks: MediaStreamTrack[];
}

export interface FakeKurentoOptions {
  /**
   * The URL to answer (msw URL matching). Default: one no other server uses, so late
   * frames of one test never reach another.
   */
  url?: string;
  /** Participants with no client behind them, in every room from the start. Default none. */
  existing?: string[];
  /** Names refused with `error NAME_TAKEN` on `joinRoom`, as if someone held them. Default none. */
  takenNames?: string[];
  /**
   * Replaces the `joinRoom` handling: the socket joins no room; the hook replies, or not,
   * or calls `server.admit(message)` for the default handling.
   */
  onJoin?: (message: JoinRoomMessage, server: FakeKurento) => void;
  /** Answer every `receiveVideoFrom` with a real SDP answer. Default true. */
  autoAnswer?: boolean;
  /** Send each endpoint's ICE candidates (all of them) before its answer. Default false. */
  candidatesFirst?: boolean;
  /** Add the client's trickled candidates to the endpoints. Default true. */
  useClientCandidates?: boolean;
  /** Send media without stream ids (`a=msid:-`), so the client's track events carry no streams. */
  noStreamIds?: boolean;
  /** Close every connection in the connection listener, so the socket never opens. */
  refuse?: boolean;
  /** Participants whose endpoints send silence (a disabled audio track) until `setAudioEnabled()`. Default none. */
  silent?: string[];
  /** Answer each `ping` with `pong`, as the reference server does. Default false: ignore it, as Kurento's tutorial server does. */
  pong?: boolean;
}

type Socket = WebSocketHandlerConnection['client'];

/** One client socket, and the participant it becomes by joining. */
interface Connection {
  socket: Socket;
  /** The name it last asked to join with. */
  name: string | null;
  /** The room it is in, once a join was accepted. */
  room: string | null;
  /** Endpoints by the `sender` they were created for. */
  endpoints: Map<string, Endpoint>;
  /** The `sessionId` of its accepted join. */
  sessionId?: string;
  /** Its mute state, as its last `setMediaState` said; kept on a takeover. */
  mediaState: MuteState;
  /** Set by `freeze()`: the link is down, nothing goes either way. */
  frozen?: boolean;
}

type MuteState = Omit<SetMediaStateMessage, 'id'>;
const UNMUTED: MuteState = { audioMuted: false, videoMuted: false };

let serial = 0;

/** One scripted server at its own URL; `stop()` it in `afterEach`. */
export class FakeKurento {
  /** The URL it answers. */
  readonly url: string;
  /** Every message the clients sent, in order. */
  readonly received = new Recorder<ClientMessage>();
  /** Every message this server sent, to any client, in order. */
  readonly sent: ServerMessage[] = [];
  /** Every socket close, in order. */
  readonly closes = new Recorder<{ code: number }>();
  /** How many connections were attempted. */
  connections = 0;

  readonly #options: FakeKurentoOptions;
  readonly #takenNames: Set<string>;
  /** Participants whose audio is sent disabled (silence). */
  readonly #silent: Set<string>;
  /** How many more connections to refuse (closed at once, so they never open). */
  #refusals = 0;
  /** Open sockets, oldest first. */
  readonly #open: Connection[] = [];
  /** Participants with no client behind them, by room; `null` for those in every room. */
  readonly #virtual = new Map<string | null, Set<string>>();
  /** The mute states of the participants with no client behind them, by name (default: unmuted). */
  readonly #virtualStates = new Map<string, MuteState>();

  constructor(options: FakeKurentoOptions = {}) {
    this.url = options.url ?? `ws://127.0.0.1:9/groupcall/${++serial}`;
    this.#options = options;
    this.#takenNames = new Set(options.takenNames);
    this.#silent = new Set(options.silent);
    this.#virtual.set(null, new Set(options.existing));
    network.use(
      ws.link(this.url).addEventListener('connection', ({ client }) => this.#accept(client)),
    );
  }

  /** The endpoints of the latest socket (the only one in a client test), by `sender`. */
  get endpoints(): ReadonlyMap<string, Endpoint> {
    return this.#latest()?.endpoints ?? new Map();
  }

  /** Sends a server message to the latest socket. */
  send(message: ServerMessage): void {
    const connection = this.#latest();
    if (!connection) throw new Error('fake server: no client connected');
    this.#send(connection, message);
  }

  /** Sends a raw text frame to the latest socket. */
  sendRaw(frame: string): void {
    const connection = this.#latest();
    if (!connection) throw new Error('fake server: no client connected');
    connection.socket.send(frame);
  }

  /** Closes the latest socket from the server side. */
  closeSocket(code = 1011): void {
    this.#latest()?.socket.close(code, 'server going away');
  }

  /**
   * The latest socket goes silent without closing, as over a link that went down: nothing
   * it receives is handled and nothing is sent on it again.
   */
  freeze(): void {
    const connection = this.#latest();
    if (connection) connection.frozen = true;
  }

  /** Refuses the next `count` connections: each is closed at once (code 1006 at the client). */
  refuseNext(count: number): void {
    this.#refusals += count;
  }

  /** The default `joinRoom` handling, for an `onJoin` hook: joins the latest socket. */
  admit(message: JoinRoomMessage): void {
    const connection = this.#latest();
    if (connection) this.#join(connection, message);
  }

  /** Stops the video the latest socket's endpoint for `sender` sends (`replaceTrack(null)`, encoding inactive); the connection stays up. */
  stopVideo(sender: string): Promise<void> {
    return this.#stopSending(sender, 'video');
  }

  /** Stops the audio the latest socket's endpoint for `sender` sends, as {@link stopVideo}: no packet at all, not silence. */
  stopAudio(sender: string): Promise<void> {
    return this.#stopSending(sender, 'audio');
  }

  async #stopSending(sender: string, kind: 'audio' | 'video'): Promise<void> {
    const pc = this.endpoints.get(sender)?.pc;
    const rtpSender = pc?.getSenders().find((s) => s.track?.kind === kind);
    if (!rtpSender) throw new Error(`fake server: no ${kind} sent for ${sender}`);
    const track = rtpSender.track!;
    await rtpSender.replaceTrack(null);
    // Firefox keeps sending about a frame a second after replaceTrack(null); an inactive
    // encoding sends nothing in both browsers (RTCRtpEncodingParameters.active).
    const parameters = rtpSender.getParameters();
    if (parameters.encodings[0]) parameters.encodings[0].active = false;
    await rtpSender.setParameters(parameters);
    track.stop();
  }

  /**
   * Makes `sender`'s media as sent to the latest socket audible (`true`) or silent: the
   * endpoint's audio track is enabled or disabled (Opus then carries digital silence).
   * Holds for endpoints created later too.
   */
  setAudioEnabled(sender: string, enabled: boolean): void {
    if (enabled) this.#silent.delete(sender);
    else this.#silent.add(sender);
    const pc = this.endpoints.get(sender)?.pc;
    const audio = pc?.getSenders().find((s) => s.track?.kind === 'audio')?.track;
    if (audio) audio.enabled = enabled;
  }

  /** Someone with no client behind them joins `room` (default: every room): announce them. */
  arrive(name: string, room: string | null = null): void {
    let names = this.#virtual.get(room);
    if (!names) this.#virtual.set(room, (names = new Set()));
    names.add(name);
    for (const member of this.#members(room)) {
      this.#send(member, { id: 'newParticipantArrived', name });
    }
  }

  /**
   * Someone who {@link arrive}d leaves `room` (default: every room): release the
   * endpoints for their media and announce it.
   */
  depart(name: string, room: string | null = null): void {
    this.#virtual.get(room)?.delete(name);
    this.#virtualStates.delete(name);
    for (const member of this.#members(room)) {
      this.#release(member, name);
      this.#send(member, { id: 'participantLeft', name });
    }
  }

  /**
   * Someone with no client behind them is gone from `room` (default: every room) without a
   * word to anyone, as after a server restart; `arrive()` brings them back.
   */
  forget(name: string, room: string | null = null): void {
    this.#virtual.get(room)?.delete(name);
    this.#virtualStates.delete(name);
  }

  /**
   * Someone who {@link arrive}d sets their mute state: kept for joiners, and relayed as
   * `participantMediaState` to the sockets of `room` (default: every room).
   */
  setMediaState(name: string, state: MuteState, room: string | null = null): void {
    this.#virtualStates.set(name, state);
    for (const member of this.#members(room)) {
      this.#send(member, { id: 'participantMediaState', name, ...state });
    }
  }

  /**
   * Resolves with the next client message with `id` matching `where`, received or still to
   * come; never one an earlier call returned.
   */
  async next<I extends ClientMessage['id']>(
    id: I,
    where: (message: Extract<ClientMessage, { id: I }>) => boolean = () => true,
  ): Promise<Extract<ClientMessage, { id: I }>> {
    type M = Extract<ClientMessage, { id: I }>;
    return (await this.received.next((m) => m.id === id && where(m as M), `a ${id} message`)) as M;
  }

  /** The client messages with `id` so far. */
  all<I extends ClientMessage['id']>(id: I): Extract<ClientMessage, { id: I }>[] {
    return this.received.all((m) => m.id === id) as Extract<ClientMessage, { id: I }>[];
  }

  /** Stops answering (msw drops every handler of the page), closes every endpoint and socket. */
  stop(): void {
    network.resetHandlers();
    for (const connection of this.#open.splice(0)) {
      connection.room = null;
      for (const name of [...connection.endpoints.keys()]) this.#release(connection, name);
      connection.socket.close(1000);
    }
  }

  #accept(client: Socket): void {
    this.connections += 1;
    if (this.#options.refuse || this.#refusals > 0) {
      this.#refusals = Math.max(0, this.#refusals - 1);
      return client.close();
    }
    const connection: Connection = {
      socket: client,
      name: null,
      room: null,
      endpoints: new Map(),
      mediaState: UNMUTED,
    };
    this.#open.push(connection);
    client.addEventListener('message', (event) => {
      if (connection.frozen) return;
      const parsed = parseClientMessage(event.data);
      if (!parsed.ok) throw new Error(`fake server got an invalid frame: ${String(event.data)}`);
      this.received.push(parsed.message);
      this.#handle(connection, parsed.message);
    });
    client.addEventListener('close', (event) => {
      this.#leave(connection);
      const index = this.#open.indexOf(connection);
      if (index >= 0) this.#open.splice(index, 1);
      this.closes.push({ code: event.code });
    });
  }

  #handle(connection: Connection, message: ClientMessage): void {
    switch (message.id) {
      case 'joinRoom':
        connection.name = message.name;
        if (this.#options.onJoin) this.#options.onJoin(message, this);
        else this.#join(connection, message);
        return;
      case 'receiveVideoFrom':
        if (this.#options.autoAnswer !== false) {
          this.#answer(connection, message.sender, message.sdpOffer);
        }
        return;
      case 'onIceCandidate': {
        const endpoint = connection.endpoints.get(message.name);
        if (endpoint && this.#options.useClientCandidates !== false) {
          const candidate = message.candidate;
          void endpoint.answered.then(() => endpoint.pc.addIceCandidate(candidate)).catch(() => {});
        }
        return;
      }
      case 'leaveRoom':
        this.#leave(connection);
        return;
      case 'setMediaState':
        this.#setMediaState(connection, message);
        return;
      case 'ping':
        if (this.#options.pong) this.#send(connection, { id: 'pong' });
        return;
    }
  }

  /** Keeps the sender's mute state and relays a change to the others of its room, as the reference server. */
  #setMediaState(connection: Connection, { audioMuted, videoMuted }: SetMediaStateMessage): void {
    const { room, name, mediaState } = connection;
    if (room === null || name === null) {
      const message = '"setMediaState" before "joinRoom"';
      this.#send(connection, {
        id: 'error',
        code: 'NOT_JOINED',
        message,
        request: 'setMediaState',
      });
      return;
    }
    if (mediaState.audioMuted === audioMuted && mediaState.videoMuted === videoMuted) return;
    connection.mediaState = { audioMuted, videoMuted };
    for (const other of this.#members(room)) {
      if (other !== connection) {
        this.#send(other, { id: 'participantMediaState', name, audioMuted, videoMuted });
      }
    }
  }

  /**
   * `existingParticipants` to a socket that joined `room`, then the mute state of every other
   * participant there, defaults included (the ones with no socket are unmuted), as the
   * reference server does.
   */
  #welcome(connection: Connection, room: string): void {
    const names = this.#names(room, connection);
    this.#send(connection, { id: 'existingParticipants', data: names });
    for (const name of names) {
      const other = this.#members(room).find((c) => c.name === name);
      const state = other?.mediaState ?? this.#virtualStates.get(name) ?? UNMUTED;
      this.#send(connection, { id: 'participantMediaState', name, ...state });
    }
  }

  /**
   * Puts `connection` into the room and tells everyone, or refuses a name in use; a holder
   * of the name with the same `sessionId` is replaced quietly (closed with 4001).
   */
  #join(connection: Connection, { room, name, sessionId }: JoinRoomMessage): void {
    const holder = this.#members(room).find((c) => c.name === name && c !== connection);
    if (holder && sessionId !== undefined && holder.sessionId === sessionId) {
      holder.room = null;
      for (const sender of [...holder.endpoints.keys()]) this.#release(holder, sender);
      holder.socket.close(4001, 'replaced');
      connection.room = room;
      connection.sessionId = sessionId;
      connection.mediaState = holder.mediaState;
      this.#welcome(connection, room);
      return;
    }
    const names = this.#names(room);
    if (this.#takenNames.has(name) || names.includes(name)) {
      this.#send(connection, {
        id: 'error',
        code: 'NAME_TAKEN',
        message: `The name "${name}" is taken in room "${room}".`,
        request: 'joinRoom',
      });
      return;
    }
    for (const other of this.#members(room)) {
      this.#send(other, { id: 'newParticipantArrived', name });
    }
    connection.room = room;
    connection.sessionId = sessionId;
    connection.mediaState = UNMUTED;
    this.#welcome(connection, room);
  }

  /** Takes `connection` out of its room: releases its endpoints and tells the others. */
  #leave(connection: Connection): void {
    for (const name of [...connection.endpoints.keys()]) this.#release(connection, name);
    const { room, name } = connection;
    if (room === null || name === null) return;
    connection.room = null;
    connection.mediaState = UNMUTED;
    for (const other of this.#members(room)) {
      this.#send(other, { id: 'participantLeft', name });
    }
  }

  /**
   * Answers an offer for `sender`'s media from a new endpoint (replacing any earlier one):
   * receive-only for the client's own media, else sending the fake camera.
   */
  #answer(connection: Connection, sender: string, sdpOffer: string): void {
    const pc = new NativePeerConnection();
    const tracks: MediaStreamTrack[] = [];
    const held: IceCandidateInit[] = [];
    let released = false;
    const sendCandidate = (candidate: IceCandidateInit) =>
      this.#send(connection, { id: 'iceCandidate', name: sender, candidate });
    pc.onicecandidate = ({ candidate }) => {
      if (!candidate?.candidate) return;
      const init = {
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid,
        sdpMLineIndex: candidate.sdpMLineIndex,
      };
      if (released) sendCandidate(init);
      else held.push(init);
    };
    pc.ontrack = ({ track }) => tracks.push(track);
    const gathered = deferred<void>();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && gathered.resolve();
    const answered = (async () => {
      await pc.setRemoteDescription({ type: 'offer', sdp: sdpOffer });
      if (sender !== connection.name) {
        const source = await serverCamera();
        for (const original of source.getTracks()) {
          const track = original.clone();
          if (track.kind === 'audio') track.enabled = !this.#silent.has(sender);
          if (this.#options.noStreamIds) pc.addTrack(track);
          else pc.addTrack(track, source);
        }
      }
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      if (this.#options.candidatesFirst) await gathered.promise;
      if (connection.endpoints.get(sender)?.pc !== pc) return; // Released meanwhile.
      const flush = () => {
        released = true;
        for (const candidate of held.splice(0)) sendCandidate(candidate);
      };
      // The answer as created carries no candidates: they only travel as iceCandidate.
      if (this.#options.candidatesFirst) flush();
      this.#send(connection, { id: 'receiveVideoAnswer', name: sender, sdpAnswer: answer.sdp! });
      flush();
    })().catch(() => {
      // The endpoint was closed or the client left mid-answer: nothing to answer.
    });
    this.#release(connection, sender);
    connection.endpoints.set(sender, { pc, answered, tracks });
  }

  /** Closes and forgets `connection`'s endpoint for `sender`'s media, stopping the clones it sent. */
  #release(connection: Connection, sender: string): void {
    const pc = connection.endpoints.get(sender)?.pc;
    for (const rtpSender of pc?.getSenders() ?? []) rtpSender.track?.stop();
    pc?.close();
    connection.endpoints.delete(sender);
  }

  #latest(): Connection | undefined {
    return this.#open.at(-1);
  }

  /** The sockets that joined `room` (`null`: any room). */
  #members(room: string | null): Connection[] {
    return this.#open.filter((c) => c.room !== null && (room === null || c.room === room));
  }

  /** Everyone in `room` but `self`: its sockets, then the participants with no client behind them. */
  #names(room: string, self?: Connection): string[] {
    return [
      ...this.#members(room)
        .filter((c) => c !== self)
        .map((c) => c.name!),
      ...(this.#virtual.get(null) ?? []),
      ...(this.#virtual.get(room) ?? []),
    ];
  }

  #send(connection: Connection, message: ServerMessage): void {
    if (connection.frozen) return;
    connection.socket.send(serializeMessage(message));
    this.sent.push(message);
  }
}
