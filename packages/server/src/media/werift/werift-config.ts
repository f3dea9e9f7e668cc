/**
 * werift peer connection settings for the SFU, with the pitfalls of
 * FIELD-NOTES section 3 applied: ICE lite, Opus and VP8 only, no header extensions
 * (so no transport-wide congestion control), and the loopback-only or deployment
 * network choices.
 *
 * @packageDocumentation
 */

import { networkInterfaces } from 'node:os';
import { useOPUS, useVP8, type RTCPeerConnection } from 'werift';
import type { IceServer } from '../../ice-servers.js';

/** werift's `RTCPeerConnection` constructor argument. */
export type WeriftPeerConfig = NonNullable<ConstructorParameters<typeof RTCPeerConnection>[0]>;

/** Where the SFU's UDP sockets listen and which address its candidates announce. */
export type WeriftNetwork =
  /**
   * Browsers on this machine: one candidate on 127.0.0.1, or with `interfaces` on this
   * machine's first non-loopback IPv4 address (read again for each peer connection;
   * 127.0.0.1 when there is none), because Firefox never gathers a 127.0.0.1
   * candidate and reaches the SFU only on such an address (FIELD-NOTES section 4).
   * The socket is bound to that address alone. The server's default on a loopback
   * `HOST`.
   */
  | { mode: 'loopback'; interfaces?: boolean }
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
    // One candidate, on a socket bound to its own address: werift's ICE lite agent
    // selects the first pair a check nominates (USE-CANDIDATE), and a socket bound to
    // all interfaces answers a check that reached this machine's interface address
    // from a browser's 127.0.0.1 socket with a 127.0.0.1 source. The browser drops that
    // response, selects another pair, and never receives DTLS on the one werift chose.
    const address = (network.interfaces && interfaceAddresses()[0]) || '127.0.0.1';
    return {
      ...config,
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: [address],
      iceInterfaceAddresses: { udp4: address },
    };
  }
  if (network.portRange) config.icePortRange = network.portRange;
  if (network.announcedAddress) {
    // werift announces each "host address" and binds its socket to the interface
    // address (none given: all interfaces), so one announced address is one candidate.
    config.iceUseIpv4 = false;
    config.iceUseIpv6 = false;
    config.iceAdditionalHostAddresses = [network.announcedAddress];
    // An address of this machine (not a NAT's): bound to it, for the reason above.
    if (interfaceAddresses().includes(network.announcedAddress)) {
      config.iceInterfaceAddresses = { udp4: network.announcedAddress };
    }
  }
  return config;
}

/** This machine's IPv4 addresses other than loopback and link-local ones (169.254/16). */
export function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry.address)
    .filter((address) => !address.startsWith('169.254.'));
}

/**
 * Removes `a=rtcp-fb:<pt> transport-cc` lines from an offer, so that werift neither
 * runs transport-wide congestion control feedback nor echoes it in the answer
 * (werift negotiates the offer's own RTCP feedback list).
 */
export function withoutTransportCc(sdp: string): string {
  return sdp.replace(/^a=rtcp-fb:\S+ transport-cc[ \t]*\r?\n/gm, '');
}
