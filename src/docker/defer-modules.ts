import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * dockerode loads, when it is imported, code for features vigil never uses: BuildKit sessions
 * (gRPC and protobuf), `ssh://` engines (ssh2, with its crypto) and build contexts (tar-fs). Loaded,
 * they hold about 20 MB of resident memory for nothing. This puts a stand-in for each in
 * the CommonJS module cache before dockerode is imported; a stand-in loads the real module the
 * first time it is used, so an `ssh://` engine (say) still works, paying for ssh2 only then.
 *
 * It must be imported before dockerode: ES modules evaluate their imports in order.
 */
const require = createRequire(import.meta.url);

/** The files as their requirers resolve them, so that the cache keys match their require() calls. */
function deferredPaths(): string[] {
  const dockerode = require.resolve('dockerode');
  const modem = require.resolve('docker-modem', { paths: [dockerode] });
  const from = (id: string, requirer: string) => require.resolve(id, { paths: [requirer] });
  return [
    // docker-modem's ssh agent, not ssh2 itself: it reads `require('ssh2').Client` as it loads
    join(dirname(modem), 'ssh.js'),
    from('@grpc/grpc-js', dockerode),
    from('@grpc/proto-loader', dockerode),
    from('tar-fs', dockerode),
  ];
}

export const deferredModulePaths: string[] = [];

function defer(path: string): void {
  if (require.cache[path]) return;
  let real: unknown;
  const load = (): object => {
    if (real === undefined) {
      delete require.cache[path];
      real = require(path);
      require.cache[path]!.exports = real;
    }
    return real as object;
  };
  // a function target, so the stand-in can be called and constructed as well as read from
  const standIn = new Proxy(function deferred() {}, {
    get: (_t, key) => Reflect.get(load(), key) as unknown,
    has: (_t, key) => Reflect.has(load(), key),
    apply: (_t, self, args) => Reflect.apply(load() as (...a: unknown[]) => unknown, self, args),
    construct: (_t, args) => Reflect.construct(load() as new (...a: unknown[]) => object, args),
  });
  require.cache[path] = { id: path, filename: path, loaded: true, exports: standIn } as unknown as NodeJS.Module;
  deferredModulePaths.push(path);
}

try {
  for (const path of deferredPaths()) defer(path);
} catch {
  // a dockerode or docker-modem laid out differently: everything loads as usual
}
