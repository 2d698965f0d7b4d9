import type { Router } from '@koa/router';
import type { Dispatcher } from '../../notify/dispatcher.js';
import { HttpError } from '../errors.js';
import type { ChannelsAnswer } from '../api-types.js';

export function channelRoutes(router: Router, dispatcher: Dispatcher): void {
  router.get('/api/v1/channels', (ctx) => {
    const body: ChannelsAnswer = { channels: dispatcher.health() };
    ctx.body = body;
  });
  router.post('/api/v1/channels/:name/test', async (ctx) => {
    const name = ctx.params.name!;
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(name)) throw new HttpError(400, 'malformed channel name');
    const result = await dispatcher.test(name);
    if (!result)
      throw new HttpError(404, `no channel named "${name}"`, { channels: dispatcher.health().map((c) => c.name) });
    // the channel's failure is not the client's: 502 says the far side refused
    ctx.status = result.ok ? 200 : 502;
    ctx.body = { channel: name, ...result };
  });
}
