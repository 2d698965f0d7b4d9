import { DockerodeEngine } from './docker/engine.js';
import { resolveHost } from './host.js';
import { ConfigError, loadConfigWithOrigins, type SettingOrigins } from './load-config.js';
import { createLogger, LogSecrets } from './logger.js';
import { configSecrets } from './redact.js';
import { createVigil, type Vigil } from './service.js';
import { StoreError } from './store/store-errors.js';
import { systemdNotifierFor } from './systemd-notify.js';

let config;
let origins: SettingOrigins;
try {
  ({ config, origins } = loadConfigWithOrigins());
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`vigil: ${err.message}\n`);
  process.exit(2);
}

const logSecrets = new LogSecrets(configSecrets(config));
const logger = createLogger(config.logLevel, { secrets: logSecrets });
const host = await resolveHost(config.host, new DockerodeEngine(config.dockerHost), logger);
let vigil: Vigil;
try {
  vigil = createVigil({ ...config, host }, { logger, settingOrigins: origins, logSecrets });
} catch (err) {
  // a data directory or database vigil cannot use is a configuration problem, said as one
  if (!(err instanceof StoreError)) throw err;
  logger.flush();
  process.stderr.write(`vigil: ${err.message}\n`);
  process.exit(2);
}
vigil.start();
const systemd = systemdNotifierFor(process.env, () => vigil.liveness.live(), logger.child({ component: 'systemd' }));

try {
  const address = await vigil.listen(config.listen.host, config.listen.port);
  logger.info({ address: `${address.address}:${address.port}` }, 'vigil listening');
  void systemd?.ready();
  if (!config.apiToken)
    logger.warn('no VIGIL_API_TOKEN set: /api/v1 is open to anyone who can connect, so vigil listens on loopback only');
} catch (err) {
  logger.fatal({ err }, `cannot listen on ${config.listen.host}:${config.listen.port}`);
  process.exit(1);
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const deadline = setTimeout(() => {
    logger.error('shutdown took longer than 10 s; exiting anyway');
    process.exit(1);
  }, 10_000);
  deadline.unref();
  systemd?.stop();
  await vigil.stop();
  logger.info('stopped');
  logger.flush();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
