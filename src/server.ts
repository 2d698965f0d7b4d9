import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

/** The HTTP server around the koa app: listening, counting connections, closing without hanging on idle keep-alives. */
export class HttpServer {
  private server: Server | null = null;

  constructor(
    private readonly app: Koa,
    /** WebSocket upgrades (the live hub); koa serves only plain requests. */
    private readonly upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
  ) {}

  listen(host: string, port: number): Promise<AddressInfo> {
    const server = createServer(this.app.callback());
    server.keepAliveTimeout = 65_000;
    // a client that sends its headers slowly does not hold a socket for ever
    server.headersTimeout = 20_000;
    server.requestTimeout = 60_000;
    if (this.upgrade) server.on('upgrade', this.upgrade);
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server.address() as AddressInfo));
    });
  }

  connections(): Promise<number> {
    const server = this.server;
    return new Promise((resolve, reject) => {
      if (!server) resolve(0);
      else server.getConnections((err, n) => (err ? reject(err) : resolve(n)));
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closing = new Promise<void>((resolve) => server.close(() => resolve()));
    // idle keep-alive connections would hold close() open until they time out
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 5_000);
    await closing;
    clearTimeout(force);
  }
}
