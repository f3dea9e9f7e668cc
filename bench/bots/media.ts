/**
 * The bots' pre-encoded media (`media/`, made once with ffmpeg: see `media/README.md`)
 * and its RTP payloads: VP8 frames from an IVF file, packetized as RFC 7741 says, and
 * Opus packets from an Ogg file (RFC 7845), one per RTP packet as RFC 7587 says. Nothing
 * is encoded or decoded at run time.
 *
 * @packageDocumentation
 */

import { readFileSync } from 'node:fs';

/** One VP8 frame of the clip. */
export interface VideoFrame {
  /** The VP8 bitstream of the frame (RFC 6386). */
  data: Buffer;
  /** An intra frame: decodable on its own (RFC 6386 section 9.1, `key_frame` = 0). */
  key: boolean;
}

/** The clip the publisher bots send, looped. */
export interface MediaClip {
  /** VP8 frames, one per {@link VIDEO_FRAME_MS}. */
  video: VideoFrame[];
  /** Indices of the key frames in {@link MediaClip.video}, ascending. */
  keyFrames: number[];
  /** Opus packets, one per {@link AUDIO_FRAME_MS}. */
  audio: Buffer[];
}

/** The clip's frame rate: 15 fps, a frame every 66.7 ms. */
export const VIDEO_FRAME_MS = 1000 / 15;
/** The clip's Opus frame duration, in ms. */
export const AUDIO_FRAME_MS = 20;
/** RTP clock rates in Hz: VP8 (RFC 7741 section 4.1) and Opus (RFC 7587 section 4.1). */
export const CLOCK_RATE = { audio: 48_000, video: 90_000 } as const;
/** Largest RTP payload a bot sends, in bytes: room for headers within a 1280-byte MTU. */
export const MAX_PAYLOAD_BYTES = 1200;

const MEDIA_DIR = new URL('./media/', import.meta.url);

/**
 * Reads the frames of an IVF file: a 32-byte file header (`DKIF`, header size at byte
 * 6), then per frame a 12-byte header (size, 4 bytes little-endian; timestamp, 8 bytes)
 * and the frame.
 *
 * @throws Error when the file is not IVF.
 */
export function readIvf(file: Buffer): Buffer[] {
  if (file.toString('latin1', 0, 4) !== 'DKIF') throw new Error('not an IVF file');
  const frames: Buffer[] = [];
  let offset = file.readUInt16LE(6);
  while (offset + 12 <= file.length) {
    const size = file.readUInt32LE(offset);
    offset += 12;
    if (offset + size > file.length) throw new Error('truncated IVF frame');
    frames.push(file.subarray(offset, offset + size));
    offset += size;
  }
  return frames;
}

/**
 * Reads the packets of an Ogg Opus file (RFC 3533 pages, RFC 7845 mapping) without the
 * two header packets (`OpusHead`, `OpusTags`). A packet is the concatenation of its
 * lacing values' segments, the last shorter than 255 bytes; it may continue on the next page.
 *
 * @throws Error when the file is not Ogg or not Opus.
 */
export function readOggOpus(file: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  let offset = 0;
  while (offset + 27 <= file.length) {
    if (file.toString('latin1', offset, offset + 4) !== 'OggS') throw new Error('not an Ogg page');
    const segments = file[offset + 26]!;
    let data = offset + 27 + segments;
    for (let i = 0; i < segments; i++) {
      const lacing = file[offset + 27 + i]!;
      pending.push(file.subarray(data, data + lacing));
      data += lacing;
      if (lacing < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
    offset = data;
  }
  if (packets[0]?.toString('latin1', 0, 8) !== 'OpusHead') throw new Error('not an Ogg Opus file');
  return packets.slice(2);
}

let clip: MediaClip | undefined;

/** The clip in `bench/bots/media/`, read once per process. */
export function loadClip(): MediaClip {
  if (clip) return clip;
  const video = readIvf(readFileSync(new URL('clip.ivf', MEDIA_DIR))).map((data) => ({
    data,
    // RFC 6386 section 9.1: the first bit of the frame tag is 0 for a key frame.
    key: (data[0]! & 0x01) === 0,
  }));
  const keyFrames = video.flatMap((frame, index) => (frame.key ? [index] : []));
  if (keyFrames[0] !== 0) throw new Error('the clip must start with a key frame');
  const audio = readOggOpus(readFileSync(new URL('clip.opus.ogg', MEDIA_DIR)));
  clip = { video, keyFrames, audio };
  return clip;
}

/**
 * The RTP payloads of one VP8 frame (RFC 7741 section 4.2): each a payload descriptor
 * (X=1, S=1 on the first packet, partition index 0; I=1 with a 15-bit PictureID, M=1)
 * then up to {@link MAX_PAYLOAD_BYTES} minus 4 bytes of the frame. The frame's last
 * packet takes the RTP marker bit (RFC 7741 section 4.1).
 *
 * @param pictureId - the frame's PictureID, 0 to 32767, one more for each frame sent.
 */
export function vp8Payloads(frame: Buffer, pictureId: number): Buffer[] {
  const chunk = MAX_PAYLOAD_BYTES - 4;
  const payloads: Buffer[] = [];
  for (let offset = 0; offset < frame.length; offset += chunk) {
    const end = Math.min(offset + chunk, frame.length);
    const payload = Buffer.allocUnsafe(4 + end - offset);
    payload[0] = 0x80 | (offset === 0 ? 0x10 : 0); // X, S
    payload[1] = 0x80; // I: a PictureID follows
    payload[2] = 0x80 | ((pictureId >> 8) & 0x7f); // M: 15 bits
    payload[3] = pictureId & 0xff;
    frame.copy(payload, 4, offset, end);
    payloads.push(payload);
  }
  return payloads;
}

/**
 * The index of the key frame nearest `index` (circularly, over a clip of `length`
 * frames): where a publisher jumps when asked for a key frame.
 */
export function nearestKeyFrame(keyFrames: number[], index: number, length: number): number {
  let best = keyFrames[0]!;
  let bestDistance = Infinity;
  for (const key of keyFrames) {
    const forward = (key - index + length) % length;
    const distance = Math.min(forward, length - forward);
    if (distance < bestDistance) [best, bestDistance] = [key, distance];
  }
  return best;
}
