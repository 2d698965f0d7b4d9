import pLimit from 'p-limit';

type Docker = (args: string[]) => Promise<{ stdout: string }>;

/**
 * The benchmarks' mix of n containers, labelled vigil.bench=1: among the first 200, one in twenty burns
 * 2 % of a core and one in ten has a 5 s HEALTHCHECK; the rest sleep. What an earlier size left is reused.
 */
export async function ensureBenchContainers(docker: Docker, image: string, n: number): Promise<void> {
  const ids = (await docker(['ps', '-aq', '--filter', 'label=vigil.bench=1'])).stdout.split('\n').filter(Boolean);
  // more than this size wants, left by a larger size measured before it: a size is measured with that many
  if (ids.length > n) await docker(['rm', '-f', ...ids.slice(n)]);
  const existing = Math.min(ids.length, n);
  const limit = pLimit(6);
  await Promise.all(
    Array.from({ length: n - existing }, (_, k) => existing + k).map((i) =>
      limit(() => {
        const args = ['run', '-d', '--network', 'none', '--label', 'vigil.bench=1'];
        args.push('--label', `forge.agent.type=bench-${i % 5}`);
        // one busy loop in 20 and one health check in 10 among the first 200 (10 loops at 2 % of a core,
        // 20 probes every 5 s): at 1,000, as many again would have the engine's probe execs and the loops
        // take the two cores, and every figure would measure the machine's queue instead of vigil
        const varied = i < 200;
        if (varied && i % 20 === 0)
          return docker([...args, '--cpus', '0.02', image, 'sh', '-c', 'while :; do :; done']);
        if (varied && i % 10 === 1)
          return docker([...args, '--health-cmd', 'true', '--health-interval', '5s', image, 'sleep', '1000000']);
        return docker([...args, image, 'sleep', '1000000']);
      }),
    ),
  );
}
