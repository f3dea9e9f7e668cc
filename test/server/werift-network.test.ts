/**
 * The SFU's candidates on this machine: which address a peer connection announces and
 * binds in the server's default network (loopback `HOST`, no `ANNOUNCED_IP`), where
 * Chromium and Firefox pages on the same machine join one call.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  interfaceAddresses,
  weriftPeerConfig,
} from '../../packages/server/src/media/werift/werift-config.js';

describe('weriftPeerConfig on this machine', () => {
  test("loopback with interfaces announces one address, this machine's first interface address, and binds its socket to it", () => {
    const config = weriftPeerConfig({
      network: { mode: 'loopback', interfaces: true },
      iceServers: [],
    });
    // Firefox never gathers a 127.0.0.1 candidate; 127.0.0.1 only when there is no other.
    const address = interfaceAddresses()[0] ?? '127.0.0.1';
    assert.equal(config.iceUseIpv4, false);
    assert.equal(config.iceUseIpv6, false);
    assert.deepEqual(config.iceAdditionalHostAddresses, [address]);
    assert.deepEqual(config.iceInterfaceAddresses, { udp4: address });
  });

  test('interfaceAddresses lists IPv4 addresses, none of them loopback or link-local', () => {
    for (const address of interfaceAddresses()) {
      assert.match(address, /^\d+\.\d+\.\d+\.\d+$/);
      assert.ok(!address.startsWith('127.') && !address.startsWith('169.254.'), address);
    }
  });

  test('an ANNOUNCED_IP of this machine binds the socket to it; a NAT address binds all interfaces', (t) => {
    const own = interfaceAddresses()[0];
    if (own === undefined) return t.diagnostic('this machine has no interface address');
    const local = weriftPeerConfig({
      network: { mode: 'public', announcedAddress: own },
      iceServers: [],
    });
    assert.deepEqual(local.iceAdditionalHostAddresses, [own]);
    assert.deepEqual(local.iceInterfaceAddresses, { udp4: own });
    const nat = weriftPeerConfig({
      network: { mode: 'public', announcedAddress: '203.0.113.7' },
      iceServers: [],
    });
    assert.equal(nat.iceInterfaceAddresses, undefined);
  });
});
