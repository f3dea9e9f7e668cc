/**
 * werift as the browser in Node: send-only publisher peers and receive-only
 * subscriber peers that speak to the server through a {@link TestClient}, on loopback.
 */
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RtpHeader,
  RtpPacket,
  useOPUS,
  useVP8,
  type RTCRtpSender,
} from 'werift';
import { MediaRecorder } from './media-recorder.js';
import type { TestClient } from './ws-client.js';

/** Loopback-only ICE (FIELD-NOTES section 3). */
export const LOOPBACK = {
  iceUseIpv4: false,
  iceUseIpv6: false,
  iceAdditionalHostAddresses: ['127.0.0.1'],
  iceInterfaceAddresses: { udp4: '127.0.0.1' },
};

function createPeer(): RTCPeerConnection {
  return new RTCPeerConnection({
    ...LOOPBACK,
    iceServers: [],
    // One transport from the start: werift leaks the UDP socket of a transport that
    // bundling makes unused (it keeps the process alive after close()).
    bundlePolicy: 'max-bundle',
    codecs: { audio: [useOPUS()], video: [useVP8()] },
  });
}

/** A client-side peer for the media of participant `name`. */
export interface ClientPeer {
  pc: RTCPeerConnection;
  /** Whose media: the publisher's own name, or the name subscribed to. */
  name: string;
  /** Resolves once the peer connection is connected. */
  connected: Promise<void>;
}

/** A receive-only peer and what it received. */
export interface SubscriberPeer extends ClientPeer {
  media: MediaRecorder;
}

/** A send-only peer with one audio and one video track. */
export interface PublisherPeer extends ClientPeer {
  audio: MediaStreamTrack;
  video: MediaStreamTrack;
  videoSender: RTCRtpSender;
}

/** Resolves when `pc` connects; rejects on failure or after `timeoutMs`. */
function whenConnected(pc: RTCPeerConnection, timeoutMs = 10_000): Promise<void> {
  const connected = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('peer connection timed out')), timeoutMs);
    timer.unref();
    const { unSubscribe } = pc.connectionStateChange.subscribe((state) => {
      if (state !== 'connected' && state !== 'failed' && state !== 'closed') return;
      clearTimeout(timer);
      unSubscribe();
      if (state === 'connected') resolve();
      else reject(new Error(`peer connection ${state}`));
    });
  });
  connected.catch(() => undefined); // awaited (or not) by the test
  return connected;
}

/**
 * Negotiates `pc` for `name`'s media the way the tutorial client does: trickles its
 * candidates as they come (possibly before the offer reaches the server), sends
 * `receiveVideoFrom`, applies `receiveVideoAnswer`, and adds the server's candidates.
 */
async function negotiate(
  client: TestClient,
  pc: RTCPeerConnection,
  name: string,
): Promise<ClientPeer> {
  pc.onIceCandidate.subscribe((candidate) => {
    if (!candidate) return;
    client.send({
      id: 'onIceCandidate',
      name,
      candidate: {
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? null,
        sdpMLineIndex: candidate.sdpMLineIndex ?? null,
      },
    });
  });
  const connected = whenConnected(pc);
  await pc.setLocalDescription(await pc.createOffer());
  client.send({ id: 'receiveVideoFrom', sender: name, sdpOffer: pc.localDescription!.sdp });
  const answer = await client.next('receiveVideoAnswer', (m) => m.name === name);
  await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdpAnswer });
  const found = await client.next('iceCandidate', (m) => m.name === name);
  await pc.addIceCandidate({
    candidate: found.candidate.candidate,
    sdpMid: found.candidate.sdpMid ?? undefined,
    sdpMLineIndex: found.candidate.sdpMLineIndex ?? undefined,
  });
  return { pc, name, connected };
}

/** Publishes as `name` (the client's own name) with a send-only audio + video offer. */
export async function publish(client: TestClient, name: string): Promise<PublisherPeer> {
  const pc = createPeer();
  const audio = new MediaStreamTrack({ kind: 'audio' });
  const video = new MediaStreamTrack({ kind: 'video' });
  pc.addTransceiver(audio, { direction: 'sendonly' });
  const videoSender = pc.addTransceiver(video, { direction: 'sendonly' }).sender;
  const peer = await negotiate(client, pc, name);
  return { ...peer, audio, video, videoSender };
}

/** Subscribes to `name` with a receive-only audio + video offer, recording what arrives. */
export async function subscribe(client: TestClient, name: string): Promise<SubscriberPeer> {
  const pc = createPeer();
  const media = new MediaRecorder(pc); // before the answer, which fires the track events
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  return { ...(await negotiate(client, pc, name)), media };
}

/** A real SDP offer, send-only (audio + video) or receive-only, from a peer closed at once. */
export async function sampleOffer(direction: 'sendonly' | 'recvonly'): Promise<string> {
  const pc = createPeer();
  try {
    if (direction === 'sendonly') {
      pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction });
      pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction });
    } else {
      pc.addTransceiver('audio', { direction });
      pc.addTransceiver('video', { direction });
    }
    return (await pc.createOffer()).sdp;
  } finally {
    await pc.close();
  }
}

/** A fake VP8 packet: payload descriptor with the start bit, then `marker` bytes. */
export function videoPacket(sequenceNumber: number, timestamp: number, marker: number): RtpPacket {
  return new RtpPacket(
    new RtpHeader({ payloadType: 96, sequenceNumber, timestamp, marker: true }),
    Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, marker & 0xff, (marker >> 8) & 0xff]),
  );
}

/** A fake Opus packet. */
export function audioPacket(sequenceNumber: number, timestamp: number, marker: number): RtpPacket {
  return new RtpPacket(
    new RtpHeader({ payloadType: 111, sequenceNumber, timestamp }),
    Buffer.from([0xfc, marker & 0xff, (marker >> 8) & 0xff]),
  );
}
