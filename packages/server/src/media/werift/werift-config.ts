/**
 * werift peer connection settings for the SFU, with the pitfalls of
 * FIELD-NOTES section 3 applied: ICE lite, Opus and VP8 only, no header extensions
 * (so no transport-wide congestion control), and the loopback-only or deployment
 * network choices.
 *
 * @packageDocumentation
 */

import { useOPUS, useVP8, type RTCPeerConnection } from 'werift';
import type { IceServer } from '../../ice-servers.js';

/** werift's `RTCPeerConnection` constructor argument. */
export type WeriftPeerConfig = NonNullable<ConstructorParameters<typeof RTCPeerConnection>[0]>;

/** Where the SFU's UDP sockets listen and which address its candidates announce. */
export type WeriftNetwork =
  /** 127.0.0.1 only: tests and a browser on the same machine. */
  | { mode: 'loopback' }
  /**
   * A real deployment. With `announcedAddress`, that address alone is announced in the
   * host candidates (sockets listen on all interfaces: for a public address behind a
   * 1:1 NAT); without it, every local interface address is announced.
   */
  | { mode: 'public'; announcedAddress?: string; portRange?: [number, number] };

/** Options shared by every peer connection of the SFU. */
export interface WeriftPeerOptions {
  network: WeriftNetwork;
  /** STUN/TURN servers, passed through (ICE lite gathers no STUN or TURN candidate itself). */
  iceServers: IceServer[];
}

/**
 * Builds the configuration of one server-side peer connection. Codec objects are
 * fresh per call because werift assigns payload types into them.
 */
export function weriftPeerConfig(options: WeriftPeerOptions): WeriftPeerConfig {
  const config: WeriftPeerConfig = {
    // The browser always offers, so the server can be an ICE lite agent (RFC 8445
    // section 2.5): no gathering, no STUN round trip (werift would otherwise ask
    // stun.l.google.com even with iceServers: [], blocking 5 s when unreachable).
    iceLite: true,
    iceServers: options.iceServers.map((server) => ({ ...server })),
    codecs: { audio: [useOPUS()], video: [useVP8()] },
    // No RTP header extensions at all: no transport-cc (it collapsed Chrome's bandwidth
    // estimate), no mid/rid (SSRC routing from a=ssrc lines suffices without simulcast).
    headerExtensions: { audio: [], video: [] },
  };
  const { network } = options;
  if (network.mode === 'loopback') {
    return {
      ...config,
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
    };
  }
  if (network.portRange) config.icePortRange = network.portRange;
  if (network.announcedAddress) {
    // werift announces each "host address" and binds its socket to the interface
    // address (none given: all interfaces), so one announced address is one candidate.
    config.iceUseIpv4 = false;
    config.iceUseIpv6 = false;
    config.iceAdditionalHostAddresses = [network.announcedAddress];
  }
  return config;
}

/**
 * Removes `a=rtcp-fb:<pt> transport-cc` lines from an offer, so that werift neither
 * runs transport-wide congestion control feedback nor echoes it in the answer
 * (werift negotiates the offer's own RTCP feedback list).
 */
export function withoutTransportCc(sdp: string): string {
  return sdp.replace(/^a=rtcp-fb:\S+ transport-cc[ \t]*\r?\n/gm, '');
}
