/**
 * A simulated network in Linux network namespaces (FIELD-NOTES section 4), built and
 * torn down by the tests themselves (root only):
 *
 * ```
 *  krnet-PID-pub            krnet-PID-nat (router)             krnet-PID-h1 … hN
 *  pub0 203.0.113.10 ─ wan0 203.0.113.2  masquerade  lanI 100.64.I.1 ─ eth0 100.64.I.2
 *  (server, coturn)         (faults: nftables, tbf)            (one Chromium each)
 * ```
 *
 * Only RFC 5737 (203.0.113.0/24) and RFC 6598 (100.64.0.0/10) addresses (IPv6 is off),
 * no default route anywhere: a home reaches 203.0.113.0/24 through the router only, and the public
 * side has no route back to 100.64.0.0/10, so every packet from a home crosses the NAT.
 * Every home is its own link (one participant each), so one participant's link can fail
 * alone. Faults live in the router's nftables table `krnet` (chain `faults`, jumped to
 * from `forward`) and in tbf queues on both ends of a home link; the kernel here has no
 * netem, so there is loss (`numgen random`) and rate, but no delay.
 *
 * Teardown deletes the namespaces, which removes their links, tables and queues; it runs
 * from the tests' `after` hooks and from a process `exit` handler, so nothing outlives a
 * failed or interrupted run.
 */
import { execFileSync, spawn } from 'node:child_process';

/** The public side: the server, coturn and the router's outside address. */
export const PUBLIC_SUBNET = '203.0.113.0/24';
/** The reference server's and coturn's address (and the SFU's announced address). */
export const SERVER_ADDRESS = '203.0.113.10';
/** The NAT's outside address (masquerade source). */
export const NAT_ADDRESS = '203.0.113.2';
/** The address the NAT moves to in {@link Topology.changeNatMapping}. */
export const NAT_ADDRESS_AFTER_CHANGE = '203.0.113.3';
/** The masquerade's source ports, before and after {@link Topology.changeNatMapping}. */
const NAT_PORTS = ['20000-29999', '30000-39999'] as const;

/** The address of home `index` (1-based) and its router's address on that link. */
export function homeAddresses(index: number): { home: string; router: string } {
  return { home: `100.64.${index}.2`, router: `100.64.${index}.1` };
}

/**
 * Runs `command` (an argument vector, no shell) and resolves with its stdout; `input` is
 * written to its stdin. Rejects with the command and its stderr when it exits non-zero.
 */
export function run(command: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.stdin.on('error', () => undefined); // EPIPE when it exits without reading: its code tells
    child.on('exit', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr}`));
    });
    child.stdin.end(input ?? '');
  });
}

/** A fault on home links, applied at the router (and, for the rate, at the home's end). */
export interface LinkImpairment {
  /** Packets dropped at random in each direction, in percent (nftables `numgen random`). */
  lossPercent?: number;
  /** Rate cap in each direction, in kbit/s (a tbf queue on each end of the link). */
  rateKbps?: number;
}

/** The namespaces and what can be done to the network between them. */
export interface Topology {
  /** `krnet-PID`: every namespace's name starts with it. */
  prefix: string;
  /** The public namespace (server, coturn). */
  pub: string;
  /** The router's namespace (NAT and faults). */
  router: string;
  /** The home namespaces, `homes[0]` being home 1. */
  homes: string[];
  /** Runs `command args` inside namespace `ns`; resolves with its stdout. */
  exec(ns: string, command: string, args: string[], input?: string): Promise<string>;
  /** Drops every UDP packet that crosses the router (both directions). */
  blockUdp(): Promise<void>;
  /** Drops TCP to and from the TURN port too: with {@link blockUdp}, no route to the media. */
  blockTurnTcp(port?: number): Promise<void>;
  /** Drops everything on one home's link (1-based), or, with `false`, restores it. */
  setOutage(home: number, down: boolean): Promise<void>;
  /**
   * Replaces every fault rule (blocks and outages included) with `impairment` on the links
   * of `homes` (1-based); without `impairment`, leaves those links clean.
   */
  impair(homes: number[], impairment?: LinkImpairment): Promise<void>;
  /**
   * Gives the NAT a new outside address and a new port range: the masquerade drops every
   * connection tracking entry of the old address, so every flow through the NAT gets a new
   * mapping (address and port), as when an ISP reassigns a home's address.
   */
  changeNatMapping(): Promise<void>;
  /**
   * The NAT's mappings: each connection tracking entry (`/proc/net/nf_conntrack`) of a
   * flow from a home, as the home's `address:port` and the outside `address:port` it is
   * mapped to.
   */
  natMappings(): Promise<{ home: string; outside: string }[]>;
  /** Deletes every namespace (with their links, tables and queues). Safe to call twice. */
  destroy(): void;
}

/**
 * A connection tracking entry of a flow from a home (the original tuple's source in
 * 100.64.0.0/10): its source and port, and the reply tuple's destination and port, which
 * is where the NAT mapped it.
 */
const ENTRY_FROM_HOME =
  /src=(100\.(?:6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d+\.\d+) dst=\S+ sport=(\d+) dport=\d+ .*?src=\S+ dst=(\S+) sport=\d+ dport=(\d+)/gm;

/** The nftables ruleset of the router: masquerade out of `wan0`, and the faults chain. */
function routerRuleset(ports: string): string {
  return `table ip krnet {
  chain faults {
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    jump faults
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan0" meta l4proto { tcp, udp } masquerade to :${ports}
    oifname "wan0" masquerade
  }
}
`;
}

/** Exits with the shell's code for `signal`, so that the 'exit' handlers tear down. */
function exitOnSignal(signal: NodeJS.Signals): void {
  process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
}

/**
 * Deletes the namespaces a test process left behind when it was killed outright
 * (`krnet-PID-…` whose PID no longer runs). Their processes died with their test.
 */
function reapStaleNamespaces(): void {
  const listing = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const [, name, pid] of listing.matchAll(/^(krnet-(\d+)-\S+)/gm)) {
    try {
      process.kill(Number(pid), 0);
    } catch {
      execFileSync('ip', ['netns', 'delete', name!], { stdio: 'ignore' });
    }
  }
}

/**
 * Builds the topology with `homes` home namespaces behind one NAT; registers a process
 * `exit` handler that tears it down. Throws (after tearing down what was built) when a
 * step fails, e.g. without root.
 */
export async function createTopology(
  homes: number,
  prefix = `krnet-${process.pid}`,
): Promise<Topology> {
  if (process.getuid?.() !== 0) {
    throw new Error('the network tests build network namespaces: run them as root (CI does)');
  }
  const pub = `${prefix}-pub`;
  const router = `${prefix}-nat`;
  const homeNames = Array.from({ length: homes }, (_, i) => `${prefix}-h${i + 1}`);
  const namespaces = [pub, router, ...homeNames];
  const ip = (...args: string[]) => run('ip', args);
  const exec = (ns: string, command: string, args: string[], input?: string) =>
    run('ip', ['netns', 'exec', ns, command, ...args], input);
  const nft = (script: string) => exec(router, 'nft', ['-f', '-'], script);

  reapStaleNamespaces();
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    process.off('exit', destroy);
    process.off('SIGINT', exitOnSignal);
    process.off('SIGTERM', exitOnSignal);
    for (const ns of namespaces) {
      try {
        execFileSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' });
      } catch {
        // not created, or already gone
      }
    }
  };
  process.on('exit', destroy);
  // A signal ends the process without 'exit' handlers unless it is handled: exit instead.
  process.on('SIGINT', exitOnSignal);
  process.on('SIGTERM', exitOnSignal);

  /** A veth pair between two namespaces, each end addressed (/24) and up. */
  const link = async (a: [ns: string, dev: string, address: string], b: typeof a) => {
    await ip(
      ...`link add ${a[1]} netns ${a[0]} type veth peer name ${b[1]} netns ${b[0]}`.split(' '),
    );
    for (const [ns, dev, address] of [a, b]) {
      await ip('-n', ns, 'address', 'add', `${address}/24`, 'dev', dev);
      await ip('-n', ns, 'link', 'set', dev, 'up');
    }
  };

  try {
    for (const ns of namespaces) {
      await ip('netns', 'add', ns);
      // IPv4 only: no IPv6 link-local address appearing a moment after a link comes up,
      // which Chromium takes for a network change (ERR_NETWORK_CHANGED on a page load).
      await exec(ns, 'sysctl', [
        '-qw',
        'net.ipv6.conf.all.disable_ipv6=1',
        'net.ipv6.conf.default.disable_ipv6=1',
      ]);
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    await link([router, 'wan0', NAT_ADDRESS], [pub, 'pub0', SERVER_ADDRESS]);
    for (const [i, home] of homeNames.entries()) {
      const addresses = homeAddresses(i + 1);
      await link([router, `lan${i + 1}`, addresses.router], [home, 'eth0', addresses.home]);
      // The public subnet only, through the router: no default route.
      await ip('-n', home, 'route', 'add', PUBLIC_SUBNET, 'via', addresses.router);
    }
    await exec(router, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    await nft(routerRuleset(NAT_PORTS[0]));
  } catch (error) {
    destroy();
    throw error;
  }

  const faults = (rules: string[]) =>
    nft(rules.map((rule) => `add rule ip krnet faults ${rule}\n`).join(''));
  const lan = (home: number) => `lan${home}`;
  const tbf = (ns: string, dev: string, rateKbps?: number) =>
    rateKbps === undefined
      ? exec(ns, 'tc', ['qdisc', 'del', 'dev', dev, 'root']).catch(() => '')
      : exec(ns, 'tc', [
          'qdisc',
          'replace',
          'dev',
          dev,
          'root',
          'tbf',
          'rate',
          `${rateKbps}kbit`,
          'burst',
          '16kb',
          'latency',
          '200ms',
        ]);

  let natChanged = false;
  return {
    prefix,
    pub,
    router,
    homes: homeNames,
    exec,
    async blockUdp() {
      await faults(['meta l4proto udp drop']);
    },
    async blockTurnTcp(port = 3478) {
      await faults([`tcp dport ${port} drop`, `tcp sport ${port} drop`]);
    },
    async setOutage(home, down) {
      const rules = [`iifname "${lan(home)}" drop`, `oifname "${lan(home)}" drop`];
      if (down) return void (await faults(rules));
      // Delete this home's outage rules by handle.
      const listing = await exec(router, 'nft', ['-a', 'list', 'chain', 'ip', 'krnet', 'faults']);
      const handles = [...listing.matchAll(/(?:iif|oif)name "([^"]+)" drop # handle (\d+)/g)]
        .filter(([, dev]) => dev === lan(home))
        .map(([, , handle]) => handle!);
      await nft(handles.map((h) => `delete rule ip krnet faults handle ${h}\n`).join(''));
    },
    async impair(indexes, impairment) {
      await nft('flush chain ip krnet faults\n');
      for (const home of indexes) {
        await tbf(router, lan(home), impairment?.rateKbps);
        await tbf(homeNames[home - 1]!, 'eth0', impairment?.rateKbps);
        const loss = impairment?.lossPercent;
        if (loss) {
          await faults([
            `iifname "${lan(home)}" numgen random mod 100 < ${loss} drop`,
            `oifname "${lan(home)}" numgen random mod 100 < ${loss} drop`,
          ]);
        }
      }
    },
    async changeNatMapping() {
      const [from, to] = natChanged
        ? [NAT_ADDRESS_AFTER_CHANGE, NAT_ADDRESS]
        : [NAT_ADDRESS, NAT_ADDRESS_AFTER_CHANGE];
      const ports = NAT_PORTS[natChanged ? 0 : 1];
      natChanged = !natChanged;
      await nft(`flush chain ip krnet postrouting
add rule ip krnet postrouting oifname "wan0" meta l4proto { tcp, udp } masquerade to :${ports}
add rule ip krnet postrouting oifname "wan0" masquerade
`);
      // Removing the old address makes the masquerade forget its connections.
      await ip('-n', router, 'address', 'delete', `${from}/24`, 'dev', 'wan0');
      await ip('-n', router, 'address', 'add', `${to}/24`, 'dev', 'wan0');
    },
    async natMappings() {
      const table = await exec(router, 'cat', ['/proc/net/nf_conntrack']);
      return [...table.matchAll(ENTRY_FROM_HOME)].map(([, home, port, outside, outsidePort]) => ({
        home: `${home}:${port}`,
        outside: `${outside}:${outsidePort}`,
      }));
    },
    destroy,
  };
}
