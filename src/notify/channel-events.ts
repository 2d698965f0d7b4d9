// What a channel can be given, apart from the schema (channel-config.ts) so that the page can bundle
// the lists without zod.

export const severities = ['info', 'warning', 'critical'] as const;
export const notifyEvents = [
  'unhealthy',
  'crash',
  'oom',
  'alert',
  'recovered',
  'gave_up',
  'boot_recovery',
  'cleanup',
  'dependants',
  'spike',
  // a person's stop, start or restart through vigil's API or page: a change, not a recovery
  'action',
] as const;
