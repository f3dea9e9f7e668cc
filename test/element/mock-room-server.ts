// An in-page signaling server for the element tests: an msw `ws.link()` handler that
// plays the Kurento group-call contract (../../shared/FIELD-NOTES.md section 1), with
// real SDP answers and ICE candidates from answering RTCPeerConnections in the page, so
// the element's peers really connect over loopback and remote videos really play.
//
// msw intercepts WebSocket by patching `globalThis.WebSocket` (@mswjs/interceptors); no
// service worker is involved. Connections to URLs without a handler pass through. (The cast:
// msw ships two declaration copies of the interceptor types that TypeScript sees as distinct.)
import { ws } from 'msw';
import { defineNetwork, InterceptorSource } from 'msw/experimental';
import { WebSocketInterceptor } from '@mswjs/interceptors/WebSocket';
import {
  parseClientMessage,
  serializeMessage,
  type ClientMessage,
  type ServerMessage,
} from '../../src/protocol.js';

const network = defineNetwork({
  sources: [new InterceptorSource({ interceptors: [new WebSocketInterceptor() as never] })],
  handlers: [],
  onUnhandledFrame: 'bypass',
  context: { quiet: true },
});
network.enable();

/** Opens the fake camera once; the mock sends it as every remote participant's media. */
const fakeMedia = navigator.mediaDevices.getUserMedia({ audio: true, video: true });

interface Socket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

interface Member {
  socket: Socket;
  room: string;
  name: string;
  /** Answering peer connections by the name in `receiveVideoFrom.sender`. */
  peers: Map<string, Deferred<RTCPeerConnection>>;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Options of {@link MockRoomServer.start}. */
export interface MockRoomServerOptions {
  /** Names that get `error NAME_TAKEN` on `joinRoom`, as if someone held them. */
  takenNames?: string[];
}

/** A scripted group-call server at one URL. Call {@link stop} in `afterEach`. */
export class MockRoomServer {
  /** Every message the clients sent, in order. */
  readonly received: ClientMessage[] = [];
  /** How many client sockets closed. */
  closedSockets = 0;

  readonly #members = new Set<Member>();
  readonly #virtual = new Map<string, Set<string>>();
  readonly #takenNames: Set<string>;
  readonly #pcs = new Set<RTCPeerConnection>();
  readonly #waiters = new Set<() => void>();
  readonly #stream: MediaStream;

  private constructor(stream: MediaStream, options: MockRoomServerOptions) {
    this.#stream = stream;
    this.#takenNames = new Set(options.takenNames);
  }

  /** Starts answering WebSocket connections to `url` (msw URL matching). */
  static async start(url: string, options: MockRoomServerOptions = {}): Promise<MockRoomServer> {
    const server = new MockRoomServer(await fakeMedia, options);
    const link = ws.link(url);
    network.use(
      link.addEventListener('connection', ({ client }) => {
        let member: Member | null = null;
        client.addEventListener('message', (event) => {
          const parsed = parseClientMessage(event.data);
          if (!parsed.ok) throw new Error(`mock server got an invalid frame: ${event.data}`);
          server.received.push(parsed.message);
          member = server.#handle(client, member, parsed.message);
          server.#notify();
        });
        client.addEventListener('close', () => {
          if (member) server.#leave(member);
          member = null;
          server.closedSockets += 1;
          server.#notify();
        });
      }),
    );
    return server;
  }

  /** Resolves once `check()` holds, re-checking after every message and socket close. */
  until<T>(check: () => T | undefined | false, what: string, timeoutMs = 8000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(test);
        reject(new Error(`mock server: timed out waiting for ${what}`));
      }, timeoutMs);
      const test = () => {
        const value = check();
        if (value === undefined || value === false) return;
        clearTimeout(timer);
        this.#waiters.delete(test);
        resolve(value);
      };
      this.#waiters.add(test);
      test();
    });
  }

  /** Resolves with the first received message with `id` (and matching `where`). */
  message<I extends ClientMessage['id']>(
    id: I,
    where: (message: Extract<ClientMessage, { id: I }>) => boolean = () => true,
  ): Promise<Extract<ClientMessage, { id: I }>> {
    return this.until(
      () =>
        this.received.find(
          (m): m is Extract<ClientMessage, { id: I }> =>
            m.id === id && where(m as Extract<ClientMessage, { id: I }>),
        ),
      `a ${id} message`,
    );
  }

  /** Puts a participant that is not a real client into `room` and announces them. */
  addParticipant(room: string, name: string): void {
    let names = this.#virtual.get(room);
    if (!names) this.#virtual.set(room, (names = new Set()));
    names.add(name);
    for (const member of this.#inRoom(room))
      this.#send(member.socket, { id: 'newParticipantArrived', name });
  }

  /** Takes a participant added with {@link addParticipant} out of `room` and announces it. */
  removeParticipant(room: string, name: string): void {
    this.#virtual.get(room)?.delete(name);
    for (const member of this.#inRoom(room)) {
      this.#closePeer(member, name);
      this.#send(member.socket, { id: 'participantLeft', name });
    }
  }

  /** Stops answering and closes every answering peer connection. */
  stop(): void {
    network.resetHandlers();
    for (const pc of this.#pcs) pc.close();
    this.#pcs.clear();
    this.#members.clear();
  }

  #handle(socket: Socket, member: Member | null, message: ClientMessage): Member | null {
    switch (message.id) {
      case 'joinRoom': {
        const { room, name } = message;
        const names = this.#names(room);
        if (this.#takenNames.has(name) || names.includes(name)) {
          this.#send(socket, {
            id: 'error',
            code: 'NAME_TAKEN',
            message: `The name "${name}" is taken in room "${room}".`,
            request: 'joinRoom',
          });
          return member;
        }
        for (const other of this.#inRoom(room)) {
          this.#send(other.socket, { id: 'newParticipantArrived', name });
        }
        const joined: Member = { socket, room, name, peers: new Map() };
        this.#members.add(joined);
        this.#send(socket, { id: 'existingParticipants', data: names });
        return joined;
      }
      case 'receiveVideoFrom':
        if (member) void this.#answer(member, message.sender, message.sdpOffer);
        return member;
      case 'onIceCandidate':
        if (member) {
          const candidate = message.candidate;
          void this.#peer(member, message.name)
            .promise.then((pc) => pc.addIceCandidate(candidate))
            .catch(() => {});
        }
        return member;
      case 'leaveRoom':
        if (member) this.#leave(member);
        return null;
    }
  }

  /** Answers `member`'s offer for `sender`'s media: receive-only for their own, else send the fake camera. */
  async #answer(member: Member, sender: string, sdpOffer: string): Promise<void> {
    const pc = new RTCPeerConnection();
    this.#pcs.add(pc);
    const pending: RTCIceCandidateInit[] = [];
    let answered = false;
    const sendCandidate = (candidate: RTCIceCandidateInit) => {
      const { candidate: line = '', sdpMid = null, sdpMLineIndex = null } = candidate;
      this.#send(member.socket, {
        id: 'iceCandidate',
        name: sender,
        candidate: { candidate: line, sdpMid, sdpMLineIndex },
      });
    };
    pc.onicecandidate = ({ candidate }) => {
      if (!candidate) return;
      if (answered) sendCandidate(candidate.toJSON());
      else pending.push(candidate.toJSON());
    };
    await pc.setRemoteDescription({ type: 'offer', sdp: sdpOffer });
    if (sender !== member.name) {
      for (const transceiver of pc.getTransceivers()) {
        const track = this.#stream
          .getTracks()
          .find((t) => t.kind === transceiver.receiver.track.kind);
        if (!track) continue;
        transceiver.direction = 'sendonly';
        await transceiver.sender.replaceTrack(track);
        transceiver.sender.setStreams(this.#stream);
      }
    }
    await pc.setLocalDescription(await pc.createAnswer());
    if (!this.#pcs.has(pc)) return; // stopped meanwhile
    this.#send(member.socket, {
      id: 'receiveVideoAnswer',
      name: sender,
      sdpAnswer: pc.localDescription!.sdp,
    });
    answered = true;
    for (const candidate of pending.splice(0)) sendCandidate(candidate);
    this.#peer(member, sender).resolve(pc);
  }

  #peer(member: Member, name: string): Deferred<RTCPeerConnection> {
    let peer = member.peers.get(name);
    if (!peer) member.peers.set(name, (peer = deferred()));
    return peer;
  }

  #closePeer(member: Member, name: string): void {
    const peer = member.peers.get(name);
    member.peers.delete(name);
    void peer?.promise.then((pc) => {
      pc.close();
      this.#pcs.delete(pc);
    });
  }

  #leave(member: Member): void {
    if (!this.#members.delete(member)) return;
    for (const name of [...member.peers.keys()]) this.#closePeer(member, name);
    for (const other of this.#inRoom(member.room)) {
      this.#send(other.socket, { id: 'participantLeft', name: member.name });
    }
  }

  #inRoom(room: string): Member[] {
    return [...this.#members].filter((m) => m.room === room);
  }

  /** Everyone in `room`, real clients and virtual participants. */
  #names(room: string): string[] {
    return [...this.#inRoom(room).map((m) => m.name), ...(this.#virtual.get(room) ?? [])];
  }

  #send(socket: Socket, message: ServerMessage): void {
    socket.send(serializeMessage(message));
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
