// A scripted Kurento group-call server inside the test page (../../shared/FIELD-NOTES.md
// section 1). The signaling socket is mocked with msw's `ws.link()`; media is real: each
// `receiveVideoFrom` offer is answered by an RTCPeerConnection in the page (a loopback
// "fake SFU" endpoint) that sends the fake camera to subscribers and receives from the
// publisher, so descriptions and candidates really apply and frames really flow.
//
// msw is started without a service worker: `setupWorker().start()` always registers one
// (for HTTP), but WebSocket mocking only needs the WebSocket interceptor, which patches
// `globalThis.WebSocket`. `defineNetwork` + `InterceptorSource` (msw/experimental) wire
// exactly that, and the `ws.link()` handlers work unchanged.
import { ws } from 'msw';
import { defineNetwork, InterceptorSource } from 'msw/experimental';
import { WebSocketInterceptor } from '@mswjs/interceptors/WebSocket';
import {
  parseClientMessage,
  serializeMessage,
  type ClientMessage,
  type IceCandidateInit,
  type JoinRoomMessage,
  type ServerMessage,
} from '../../src/protocol.js';
import { Recorder, deferred } from './helpers.js';

const network = defineNetwork({
  // Two copies of @mswjs/interceptors' types (msw's and the top-level one) differ only
  // in a private symbol; the runtime object is the same class.
  sources: [new InterceptorSource({ interceptors: [new WebSocketInterceptor() as never] })],
  handlers: [],
  onUnhandledFrame: 'bypass',
  context: { quiet: true },
});
await network.enable();

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
  /** Names in the room before the client; answered to `joinRoom`. Default none. */
  existing?: string[];
  /** Replaces the default `joinRoom` reply (`existingParticipants`); may send nothing. */
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
}

interface Socket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

let serial = 0;

/** One scripted server at its own URL; `dispose()` it in `afterEach`. */
export class FakeKurento {
  /** A URL no other test uses, so late frames of one test never reach another. */
  readonly url = `ws://127.0.0.1:9/groupcall/${++serial}`;
  /** Every message the client sent, in order. */
  readonly received = new Recorder<ClientMessage>();
  /** Every message this server sent, in order. */
  readonly sent: ServerMessage[] = [];
  /** Every socket close the client made, in order. */
  readonly closes = new Recorder<{ code: number }>();
  /** Endpoints by the `sender` they were created for. */
  readonly endpoints = new Map<string, Endpoint>();
  /** How many connections were attempted. */
  connections = 0;
  /** The name the client joined with. */
  name: string | null = null;
  private socket: Socket | null = null;
  private readonly options: FakeKurentoOptions;

  constructor(options: FakeKurentoOptions = {}) {
    this.options = options;
    network.use(
      ws.link(this.url).addEventListener('connection', ({ client }) => {
        this.connections += 1;
        if (options.refuse) return client.close();
        this.socket = client;
        client.addEventListener('message', (event) => {
          const parsed = parseClientMessage(event.data);
          if (!parsed.ok)
            throw new Error(`fake server got an invalid frame: ${String(event.data)}`);
          this.received.push(parsed.message);
          this.handle(parsed.message);
        });
        client.addEventListener('close', (event) => {
          this.closes.push({ code: event.code });
          if (this.socket === client) this.socket = null;
        });
      }),
    );
  }

  /** Sends a server message to the connected client. */
  send(message: ServerMessage): void {
    this.sendRaw(serializeMessage(message));
    this.sent.push(message);
  }

  /** Sends a raw text frame to the connected client. */
  sendRaw(frame: string): void {
    if (!this.socket) throw new Error('fake server: no client connected');
    this.socket.send(frame);
  }

  /** Closes the client's socket from the server side. */
  closeSocket(code = 1011): void {
    this.socket?.close(code, 'server going away');
  }

  /** Someone joins: announce them. */
  arrive(name: string): void {
    this.send({ id: 'newParticipantArrived', name });
  }

  /** Someone leaves: release their endpoint and announce it. */
  depart(name: string): void {
    this.endpoints.get(name)?.pc.close();
    this.endpoints.delete(name);
    this.send({ id: 'participantLeft', name });
  }

  /** Resolves with the next client message with `id` matching `where`. */
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

  /** Answers an offer for `sender`'s media from a new endpoint (also for tests with `autoAnswer: false`). */
  answer(sender: string, sdpOffer: string): Endpoint {
    const pc = new NativePeerConnection();
    const tracks: MediaStreamTrack[] = [];
    const held: IceCandidateInit[] = [];
    let released = false;
    pc.onicecandidate = ({ candidate }) => {
      if (!candidate?.candidate) return;
      const init = {
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid,
        sdpMLineIndex: candidate.sdpMLineIndex,
      };
      if (released) this.send({ id: 'iceCandidate', name: sender, candidate: init });
      else held.push(init);
    };
    pc.ontrack = ({ track }) => tracks.push(track);
    const gathered = deferred<void>();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && gathered.resolve();
    const answered = (async () => {
      await pc.setRemoteDescription({ type: 'offer', sdp: sdpOffer });
      if (sender !== this.name) {
        const source = await serverCamera();
        for (const track of source.getTracks()) {
          if (this.options.noStreamIds) pc.addTrack(track);
          else pc.addTrack(track, source);
        }
      }
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      if (this.options.candidatesFirst) await gathered.promise;
      if (this.endpoints.get(sender)?.pc !== pc) return; // Released meanwhile.
      const flush = () => {
        released = true;
        for (const candidate of held.splice(0))
          this.send({ id: 'iceCandidate', name: sender, candidate });
      };
      // The answer as created carries no candidates: they only travel as iceCandidate.
      if (this.options.candidatesFirst) flush();
      this.send({ id: 'receiveVideoAnswer', name: sender, sdpAnswer: answer.sdp! });
      flush();
    })().catch(() => {
      // The endpoint was closed or the client left mid-answer: nothing to answer.
    });
    const endpoint = { pc, answered, tracks };
    this.endpoints.set(sender, endpoint);
    return endpoint;
  }

  /** Stops answering and closes every endpoint. */
  dispose(): void {
    network.resetHandlers();
    for (const endpoint of this.endpoints.values()) endpoint.pc.close();
    this.endpoints.clear();
    this.socket?.close(1000);
    this.socket = null;
  }

  private handle(message: ClientMessage): void {
    switch (message.id) {
      case 'joinRoom':
        this.name = message.name;
        if (this.options.onJoin) this.options.onJoin(message, this);
        else this.send({ id: 'existingParticipants', data: this.options.existing ?? [] });
        return;
      case 'receiveVideoFrom':
        if (this.options.autoAnswer !== false) this.answer(message.sender, message.sdpOffer);
        return;
      case 'onIceCandidate': {
        const endpoint = this.endpoints.get(message.name);
        if (endpoint && this.options.useClientCandidates !== false) {
          const candidate = message.candidate;
          void endpoint.answered.then(() => endpoint.pc.addIceCandidate(candidate)).catch(() => {});
        }
        return;
      }
      case 'leaveRoom':
        return;
    }
  }
}
