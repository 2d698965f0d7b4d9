import type Docker from 'dockerode';

/** The parts of inspect that creating an equivalent container needs. */
export interface RecreateInspect {
  Id: string;
  Name: string;
  Config: Record<string, unknown> & { Hostname?: string };
  HostConfig: Record<string, unknown> & { NetworkMode?: string };
  NetworkSettings?: {
    Networks?: Record<string, { Aliases?: string[] | null; IPAMConfig?: unknown; Links?: string[] | null }>;
  };
}

/**
 * Pure: create options for a container equivalent to an inspected one. Its Config and HostConfig are
 * kept whole (labels, env, mounts, restart policy, healthcheck, limits); the hostname only when it was
 * chosen (by default it is the old id, which the new container must not carry).
 */
export function recreateSpec(inspect: RecreateInspect): { name: string; options: Docker.ContainerCreateOptions } {
  const name = inspect.Name.replace(/^\//, '');
  const config = { ...inspect.Config };
  if (config.Hostname === inspect.Id.slice(0, 12)) delete config.Hostname;
  const mode = inspect.HostConfig.NetworkMode ?? 'default';
  // in another container's namespace, these belong to that container: the engine refuses them here
  if (mode.startsWith('container:'))
    for (const key of ['Hostname', 'Domainname', 'ExposedPorts', 'MacAddress']) delete config[key];
  const ownNetworks = mode !== 'none' && mode !== 'host' && !mode.startsWith('container:');
  const endpoints = ownNetworks
    ? Object.fromEntries(
        Object.entries(inspect.NetworkSettings?.Networks ?? {}).map(([network, ep]) => [
          network,
          // the old container's short id is among its aliases; the new one gets its own
          {
            Aliases: (ep.Aliases ?? []).filter((a) => a !== inspect.Id.slice(0, 12)),
            IPAMConfig: ep.IPAMConfig ?? undefined,
            Links: ep.Links ?? undefined,
          },
        ]),
      )
    : undefined;
  return {
    name,
    options: {
      ...(config as Docker.ContainerCreateOptions),
      name,
      HostConfig: inspect.HostConfig,
      ...(endpoints ? { NetworkingConfig: { EndpointsConfig: endpoints } } : {}),
    },
  };
}
