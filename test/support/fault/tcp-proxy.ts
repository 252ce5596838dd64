import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy the test owns, put between Dispatchr and PostgreSQL (or any TCP service) so a test
 * can take the database away without touching the server every other test uses:
 *
 * - `pass()`: forward bytes both ways (the default);
 * - `refuse()`: stop listening, so new connections get ECONNREFUSED; live ones stay until dropped;
 * - `dropAll()`: destroy every live connection, both sides (the server sees the client vanish, the
 *   client sees a reset);
 * - `stall()`: accept but forward nothing, and hold the bytes of live connections: a half-open
 *   network, where nothing errors and everything waits.
 *
 * `upstreamPorts()` are the local ports of the proxy's own connections to the server: PostgreSQL
 * shows them as `pg_stat_activity.client_port`, which tells this test's backends apart from every
 * other test's on the shared server.
 */
export type ProxyMode = 'pass' | 'refused' | 'stalled';

export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  readonly mode: ProxyMode;
  /** Live client connections. */
  readonly connections: number;
  /** Connections accepted since start. */
  readonly accepted: number;
  /** The same URL with host:port pointing at the proxy. */
  rewrite(url: string): string;
  pass(): Promise<void>;
  refuse(): Promise<void>;
  stall(): void;
  /**
   * The peer vanishes without a word: the server side of every live connection is closed, the
   * client side is kept open and never hears anything again (a host that died, a failover to a new
   * address, a NAT that forgot the flow). New connections are forwarded normally.
   */
  abandonAll(): number;
  /** Stalls only the live connections whose upstream local port is in `ports` (one backend, say). */
  stallPorts(ports: number[]): number;
  dropAll(): number;
  upstreamPorts(): number[];
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  stalled: boolean;
  held: { toUpstream: Buffer[]; toClient: Buffer[] };
}

export async function startTcpProxy(target: { host: string; port: number }, listenPort = 0): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let mode: ProxyMode = 'pass';
  let accepted = 0;
  let port = listenPort;
  let server: net.Server;

  const forward = (pair: Pair, from: net.Socket, to: net.Socket, held: Buffer[]) => {
    from.on('data', (chunk: Buffer) => {
      if (mode === 'stalled' || pair.stalled) held.push(chunk);
      else to.write(chunk);
    });
  };

  const onConnection = (client: net.Socket) => {
    accepted += 1;
    const upstream = net.connect({ host: target.host, port: target.port });
    const pair: Pair = { client, upstream, stalled: false, held: { toUpstream: [], toClient: [] } };
    pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    forward(pair, client, upstream, pair.held.toUpstream);
    forward(pair, upstream, client, pair.held.toClient);
    const end = () => {
      if (!pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer(onConnection);
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();

  const dropAll = () => {
    const count = pairs.size;
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
    return count;
  };

  const abandoned = new Set<net.Socket>();
  const abandonAll = () => {
    const count = pairs.size;
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      pair.client.removeAllListeners('data');
      pair.client.on('data', () => undefined);
      pair.client.on('close', () => abandoned.delete(pair.client));
      abandoned.add(pair.client);
      pair.upstream.removeAllListeners('close');
      pair.upstream.destroy();
    }
    mode = 'pass';
    return count;
  };

  // close() stops accepting at once; its callback would wait for live connections, which stay.
  const stopListening = () => {
    server.close();
  };

  return {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    get mode() {
      return mode;
    },
    get connections() {
      return pairs.size;
    },
    get accepted() {
      return accepted;
    },
    rewrite(url: string) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    async pass() {
      if (mode === 'refused') {
        // Another process could take the port meanwhile; on this machine's ephemeral range that is
        // rare, but retry a few times before giving up.
        for (let attempt = 0; ; attempt++) {
          try {
            await listen();
            break;
          } catch (error) {
            if (attempt >= 20) throw error;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      }
      mode = 'pass';
      for (const pair of pairs) {
        pair.stalled = false;
        for (const chunk of pair.held.toUpstream.splice(0)) pair.upstream.write(chunk);
        for (const chunk of pair.held.toClient.splice(0)) pair.client.write(chunk);
      }
    },
    async refuse() {
      if (mode === 'refused') return;
      mode = 'refused';
      stopListening();
    },
    stall() {
      mode = 'stalled';
    },
    stallPorts(ports) {
      let count = 0;
      for (const pair of pairs) {
        if (pair.upstream.localPort !== undefined && ports.includes(pair.upstream.localPort)) {
          pair.stalled = true;
          count += 1;
        }
      }
      return count;
    },
    dropAll,
    abandonAll,
    upstreamPorts() {
      return [...pairs].map((pair) => pair.upstream.localPort).filter((p): p is number => typeof p === 'number');
    },
    async close() {
      if (mode !== 'refused') stopListening();
      mode = 'refused';
      dropAll();
      for (const socket of abandoned) socket.destroy();
      abandoned.clear();
    },
  };
}
