import type { WebSocketServer } from 'ws';
import { MAX_CLIENT_MESSAGE_BYTES } from './protocol.js';

/**
 * The ws server, loaded with the first client: a vigil whose page nobody opens does not hold ws in
 * memory. `get` loads it once; `close` closes it if it was ever loaded.
 */
export function lazyWebSocketServer() {
  let server: Promise<WebSocketServer> | null = null;
  return {
    get(): Promise<WebSocketServer> {
      server ??= import('ws').then(
        ({ WebSocketServer }) => new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES }),
      );
      return server;
    },
    close(): void {
      void server?.then((s) => s.close());
    },
  };
}
