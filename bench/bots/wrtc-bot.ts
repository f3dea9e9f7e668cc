/**
 * A bot on libwebrtc (`@roamhq/wrtc`, the other candidate of issue 12), for
 * `bench/bot-transport.ts` only: the same signaling as the werift `Bot` (`bot-session.ts`),
 * with libwebrtc's peer connections. It is not a dependency of this repository: install
 * it outside, `npm install --no-save --prefix /tmp/krbot-wrtc @roamhq/wrtc`, and name
 * the module in `WRTC_MODULE` (`/tmp/krbot-wrtc/node_modules/@roamhq/wrtc`).
 *
 * Unlike the werift bot it cannot send pre-encoded media: wrtc's nonstandard
 * `RTCVideoSource` and `RTCAudioSource` take raw I420 frames and PCM samples, so its
 * publisher ENCODES (VP8 and Opus, in libwebrtc) at run time, which issue 12 forbids for
 * the load bots; it is here to put a figure on that cost. Its subscriptions count from
 * `getStats()` (`inbound-rtp`): libwebrtc depacketizes and DECODES what it receives
 * (`framesDecoded` rises with no sink attached), also a cost the werift bot does not have.
 *
 * @packageDocumentation
 */

import { createRequire } from 'node:module';
import { BotSession, type BotOptions, type PeerConnectionDriver } from './bot-session.js';
import type { SentCounts } from './clip-sender.js';
import { VIDEO_FRAME_MS } from './media.js';
import type { StreamStats } from './rtp-stats.js';

/** What this module uses of `@roamhq/wrtc` (W3C WebRTC, plus its nonstandard sources). */
interface Wrtc {
  RTCPeerConnection: typeof RTCPeerConnection;
  nonstandard: {
    RTCVideoSource: new () => {
      createTrack(): MediaStreamTrack;
      onFrame(frame: { width: number; height: number; data: Uint8ClampedArray }): void;
    };
    RTCAudioSource: new () => {
      createTrack(): MediaStreamTrack;
      onData(data: { samples: Int16Array; sampleRate: number }): void;
    };
  };
}

let wrtc: Wrtc | undefined;

/**
 * Loads `@roamhq/wrtc` from `WRTC_MODULE`.
 *
 * @throws Error when `WRTC_MODULE` is unset or does not load.
 */
export function loadWrtc(): Wrtc {
  const location = process.env.WRTC_MODULE;
  if (!location) {
    throw new Error(
      'WRTC_MODULE is not set: npm install --no-save --prefix /tmp/krbot-wrtc @roamhq/wrtc, then WRTC_MODULE=/tmp/krbot-wrtc/node_modules/@roamhq/wrtc',
    );
  }
  // A CommonJS package directory, which import() does not resolve.
  wrtc ??= createRequire(import.meta.url)(location) as Wrtc;
  return wrtc;
}

/** A libwebrtc peer connection as a {@link PeerConnectionDriver}. */
function wrtcDriver(pc: RTCPeerConnection): PeerConnectionDriver {
  return {
    async makeOffer(onCandidate) {
      pc.onicecandidate = ({ candidate }) => {
        if (candidate?.candidate) {
          onCandidate({
            candidate: candidate.candidate,
            sdpMid: candidate.sdpMid,
            sdpMLineIndex: candidate.sdpMLineIndex,
          });
        }
      };
      await pc.setLocalDescription(await pc.createOffer());
      return pc.localDescription!.sdp;
    },
    setAnswer: (sdp) => pc.setRemoteDescription({ type: 'answer', sdp }),
    addCandidate: (candidate) => pc.addIceCandidate(candidate),
    get state() {
      return pc.connectionState;
    },
    onStateChange: (listener) =>
      pc.addEventListener('connectionstatechange', () => listener(pc.connectionState)),
    close: async () => pc.close(),
  };
}

/** The `inbound-rtp` or `outbound-rtp` entries of a stats report. */
async function rtpStats(pc: RTCPeerConnection, type: 'inbound-rtp' | 'outbound-rtp') {
  const report = await pc.getStats();
  return [...report.values()].filter((entry: { type: string }) => entry.type === type) as {
    kind: 'audio' | 'video';
    packetsReceived?: number;
    packetsSent?: number;
    bytesReceived?: number;
    bytesSent?: number;
    packetsLost?: number;
    jitter?: number;
    framesDecoded?: number;
  }[];
}

/**
 * A bot on libwebrtc: subscriptions counted from `getStats()`, and a publisher that
 * encodes a moving test picture (320x240 at 15 fps) and a tone (48 kHz mono) at run time.
 */
export class WrtcBot extends BotSession {
  private timers: NodeJS.Timeout[] = [];
  private publisherPc: RTCPeerConnection | undefined;
  private readonly subscriberPcs = new Map<string, RTCPeerConnection>();

  private constructor(
    options: BotOptions,
    private readonly wrtc: Wrtc,
  ) {
    super(options);
  }

  /** Joins as `Bot.join` does, with `@roamhq/wrtc` from `WRTC_MODULE`. */
  static join(options: BotOptions): Promise<WrtcBot> {
    return BotSession.untilJoined(new WrtcBot(options, loadWrtc()));
  }

  /** Packets and payload bytes sent, per kind (`outbound-rtp`). */
  async sent(): Promise<SentCounts> {
    const counts: SentCounts = { audio: { packets: 0, bytes: 0 }, video: { packets: 0, bytes: 0 } };
    if (!this.publisherPc) return counts;
    for (const entry of await rtpStats(this.publisherPc, 'outbound-rtp')) {
      counts[entry.kind].packets += entry.packetsSent ?? 0;
      counts[entry.kind].bytes += entry.bytesSent ?? 0;
    }
    return counts;
  }

  /**
   * Receive statistics of the open subscriptions (`inbound-rtp`: payload bytes, RFC 3550
   * loss and jitter as libwebrtc computes them); `firstPacketAt` is not known.
   */
  async received(): Promise<StreamStats[]> {
    const streams: StreamStats[] = [];
    for (const [from, pc] of this.subscriberPcs) {
      if (pc.connectionState === 'closed') continue;
      for (const entry of await rtpStats(pc, 'inbound-rtp')) {
        streams.push({
          from,
          kind: entry.kind,
          packets: entry.packetsReceived ?? 0,
          lost: entry.packetsLost ?? 0,
          bytes: entry.bytesReceived ?? 0,
          jitterMs: (entry.jitter ?? 0) * 1000,
          firstPacketAt: undefined,
        });
      }
    }
    return streams;
  }

  /** Video frames libwebrtc decoded, over every subscription (`inbound-rtp` `framesDecoded`). */
  async framesDecoded(): Promise<number> {
    let frames = 0;
    for (const pc of this.subscriberPcs.values()) {
      if (pc.connectionState === 'closed') continue;
      for (const entry of await rtpStats(pc, 'inbound-rtp')) frames += entry.framesDecoded ?? 0;
    }
    return frames;
  }

  /** Key frames are the encoder's business here: nothing is measured. */
  keyFrameDelaysMs(): number[] {
    return [];
  }

  protected override onEnd(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  /** A send-only publisher whose media libwebrtc encodes from raw frames and samples. */
  protected async publish(): Promise<void> {
    const pc = new this.wrtc.RTCPeerConnection({ iceServers: [] });
    this.publisherPc = pc;
    const { RTCVideoSource, RTCAudioSource } = this.wrtc.nonstandard;
    const video = new RTCVideoSource();
    const audio = new RTCAudioSource();
    pc.addTransceiver(audio.createTrack(), { direction: 'sendonly' });
    pc.addTransceiver(video.createTrack(), { direction: 'sendonly' });
    const peer = this.peer(this.name, wrtcDriver(pc));
    this.publisher = peer;
    await peer.offer();
    await peer.connected();
    if (this.ended) return;
    const [width, height] = [320, 240];
    const frame = new Uint8ClampedArray((width * height * 3) / 2);
    let n = 0;
    this.timers.push(
      setInterval(() => {
        // A moving luma gradient, so that each frame differs from the last.
        for (let i = 0; i < width * height; i++) frame[i] = (i + n * 4) & 0xff;
        frame.fill(128, width * height);
        video.onFrame({ width, height, data: frame });
        n++;
      }, VIDEO_FRAME_MS),
    );
    const samples = new Int16Array(480); // 10 ms at 48 kHz, the unit libwebrtc takes
    let t = 0;
    this.timers.push(
      setInterval(() => {
        for (let i = 0; i < samples.length; i++, t++) {
          samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * t) / 48000));
        }
        audio.onData({ samples, sampleRate: 48000 });
      }, 10),
    );
  }

  /** A receive-only subscription to `name`'s audio and video. */
  protected async subscribeTo(name: string): Promise<void> {
    const pc = new this.wrtc.RTCPeerConnection({ iceServers: [] });
    this.subscriberPcs.set(name, pc);
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    await this.addSubscription(this.peer(name, wrtcDriver(pc)));
  }
}
