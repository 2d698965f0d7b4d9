import type { ContainerEngine } from '../docker/engine.js';
import type { LogEnd } from './follower.js';

/** Why a log stream ended: the client asked for no more, or the container stopped or went away. */
export async function endReason(
  engine: ContainerEngine,
  id: string,
  follow: boolean,
  signal?: AbortSignal,
): Promise<LogEnd> {
  if (!follow) return { reason: 'complete' };
  const record = await engine.inspect(id, signal).catch(() => undefined);
  if (record === null) return { reason: 'container removed' };
  if (record && record.state !== 'running')
    return { reason: 'container stopped', state: record.state, exitCode: record.exitCode };
  return { reason: 'the engine closed the stream' };
}
