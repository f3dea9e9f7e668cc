/**
 * The one place the bots reach into werift 0.24's internals (everything else uses its
 * public `RTCPeerConnection` API). Two things:
 *
 * - {@link withoutStunServer}: werift's full ICE agent asks `stun.l.google.com` for a
 *   server-reflexive candidate even with `iceServers: []` (FIELD-NOTES section 3); bots
 *   on one machine or LAN need host candidates only, so the agent's STUN server is
 *   unset before gathering.
 * - {@link countRtpWithoutDecrypting}: a subscriber bot counts packets from the RTP header,
 *   which SRTP leaves in the clear (RFC 3711 section 3.1), so the SRTP decryption,
 *   `RtpPacket` parsing and receiver bookkeeping werift does for each packet are skipped.
 *   It replaces the DTLS transport's `startSrtp` (run once, when the DTLS handshake ends)
 *   with one that still decrypts and dispatches SRTCP (a few packets a second) exactly
 *   as werift does, but hands each SRTP packet's clear header to a callback instead.
 *
 * @packageDocumentation
 */

import {
  ProtectionProfileAeadAes128Gcm,
  RtcpPacketConverter,
  isMedia,
  isRtcp,
  type RTCPeerConnection,
  type RtcpPacket,
} from 'werift';
import { readRtpHeader, type RtpHeaderFields } from './rtp-stats.js';

/** Receives the clear header of each SRTP packet and its payload size (bytes). */
export type RtpHeaderListener = (header: RtpHeaderFields, payloadBytes: number, at: number) => void;

/** The parts of werift's `RTCDtlsTransport` this module uses (werift 0.24.4, `transport/dtls.js`). */
interface DtlsTransportInternals {
  srtpStarted: boolean;
  startSrtp(): void;
  updateSrtpSession(): void;
  srtcp: { decrypt(data: Buffer): Buffer };
  dtls?: { srtp: { srtpProfile?: number } };
  onRtcp: { execute(packet: RtcpPacket): void };
  iceTransport: {
    connection: {
      stunServer: unknown;
      onData: { subscribe(listener: (data: Buffer) => void): unknown };
    };
  };
}

/**
 * The DTLS transports of `pc` as this module knows them.
 *
 * @throws Error when werift's internals are not as expected (another werift version).
 */
function internals(pc: RTCPeerConnection): DtlsTransportInternals[] {
  const transports = pc.dtlsTransports as unknown as DtlsTransportInternals[];
  for (const transport of transports) {
    if (
      typeof transport.startSrtp !== 'function' ||
      typeof transport.updateSrtpSession !== 'function' ||
      typeof transport.iceTransport?.connection?.onData?.subscribe !== 'function'
    ) {
      throw new Error('werift-tap.ts: werift internals differ from 0.24.4 (see its doc)');
    }
  }
  return transports;
}

/**
 * Unsets the STUN server of every ICE agent of `pc`: host candidates only. Call after
 * adding the transceivers and before `setLocalDescription` (which gathers).
 */
export function withoutStunServer(pc: RTCPeerConnection): void {
  for (const transport of internals(pc)) transport.iceTransport.connection.stunServer = undefined;
}

/**
 * SRTP authentication tag length in bytes (RFC 3711 section 4.2: 80-bit HMAC-SHA1 tag;
 * RFC 7714 section 7: 16-byte AES-GCM tag), the trailer after an SRTP payload.
 */
function tagLength(profile: number | undefined): number {
  return profile === ProtectionProfileAeadAes128Gcm ? 16 : 10;
}

/**
 * Makes every DTLS transport of `pc` hand incoming SRTP packets to `listener` (header
 * and payload size, undecrypted) instead of decrypting them; werift's receivers then
 * see no RTP at all (no `onReceiveRtp`, no receiver reports). SRTCP is decrypted and
 * dispatched as werift does. Call after adding the transceivers and before the DTLS
 * handshake can end (before `setRemoteDescription`, say).
 */
export function countRtpWithoutDecrypting(
  pc: RTCPeerConnection,
  listener: RtpHeaderListener,
): void {
  for (const transport of internals(pc)) {
    transport.startSrtp = function startSrtp(this: DtlsTransportInternals) {
      if (this.srtpStarted) return;
      this.srtpStarted = true;
      this.updateSrtpSession();
      const trailer = tagLength(this.dtls?.srtp.srtpProfile);
      this.iceTransport.connection.onData.subscribe((data) => {
        if (!isMedia(data)) return; // STUN and DTLS take their own paths
        if (!isRtcp(data)) {
          const header = readRtpHeader(data);
          if (header)
            listener(header, data.length - header.headerLength - trailer, performance.now());
          return;
        }
        let packets: RtcpPacket[];
        try {
          packets = RtcpPacketConverter.deSerialize(this.srtcp.decrypt(data));
        } catch {
          return; // werift drops an SRTCP packet that fails authentication or parsing
        }
        for (const packet of packets) {
          try {
            this.onRtcp.execute(packet);
          } catch {
            // werift logs and drops a listener's error
          }
        }
      });
    };
  }
}
