import { createServer, connect, Server, Socket } from 'node:net';

interface Address {
  host: string;
  port: number;
}

/**
 * A TCP proxy on loopback in front of a database. It can freeze: connections are still accepted
 * and bytes still read, but nothing is passed on in either direction until it thaws (then what was
 * held is passed on, as a network that stalled and recovered would). A side that closes takes its
 * peer down with it at once, frozen or not, as a proxy noticing its client has gone would. It can
 * also refuse: every connection ended and none accepted until `accept`.
 */
export class TcpProxy {
  private frozen = false;
  private readonly pairs = new Set<Pair>();
  private server: Server | null = null;

  private constructor(
    private readonly upstream: Address,
    public port: number,
  ) {}

  static async start(upstream: Address, listen: { port?: number } = {}): Promise<TcpProxy> {
    const proxy = new TcpProxy(upstream, listen.port ?? 0);
    await proxy.accept();
    return proxy;
  }

  /** The connection string `url` with its host and port replaced by this proxy's. */
  url(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const pair of this.pairs) pair.flush();
  }

  /** Listens (again, on the same port): connections are accepted and passed on. */
  async accept(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Ends every connection and stops listening: connecting is refused (ECONNREFUSED). */
  async refuse(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const pair of this.pairs) pair.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  close(): Promise<void> {
    return this.refuse();
  }

  private pipe(client: Socket): void {
    const pair = new Pair(
      client,
      connect(this.upstream.port, this.upstream.host),
      () => this.frozen,
    );
    this.pairs.add(pair);
    pair.onClose(() => this.pairs.delete(pair));
  }
}

class Pair {
  private readonly held: { to: Socket; data: Buffer }[] = [];

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly isFrozen: () => boolean,
  ) {
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on('data', (data: Buffer) => {
        if (this.isFrozen()) this.held.push({ to, data });
        else to.write(data);
      });
      from.on('error', () => this.destroy());
      from.on('close', () => this.destroy());
    }
  }

  flush(): void {
    for (const { to, data } of this.held.splice(0)) to.write(data);
  }

  onClose(listener: () => void): void {
    this.client.once('close', listener);
  }

  destroy(): void {
    this.client.destroy();
    this.upstream.destroy();
  }
}
