import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { OwnAlertSender } from './sender.js';
import { OwnAlertSources, type OwnAlertParts } from './sources.js';

/** vigil's own alerts: their sources always, a sender with an Alertmanager. */
export interface OwnAlerts {
  sources: OwnAlertSources;
  sender: OwnAlertSender | null;
}

export function ownAlertSenderFor(config: Config, host: string, parts: OwnAlertParts & { logger: Logger }): OwnAlerts {
  const sources = new OwnAlertSources(parts);
  const urls = config.alertmanagerUrl ?? [];
  const sender =
    urls.length === 0
      ? null
      : new OwnAlertSender(() => sources.facts(), { urls, host, resendMs: config.alertResendMs }, parts.logger);
  return { sources, sender };
}
