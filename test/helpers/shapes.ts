/**
 * The JSON shapes DESIGN.md fixes for the API, NATS and the WebSocket, as sorted key lists: one place
 * to change when a shape grows (restarts for the status page, issue 10; host for fleets, issue 13;
 * cpu, memory, state and healthSource for the page's units and exit times, issue 23).
 */
export const containerSummaryKeys = [
  'cpu',
  'health',
  'healthSource',
  'healthTrend',
  'host',
  'id',
  'image',
  'labels',
  'lastHealthCheck',
  'memory',
  'name',
  'resources',
  'restarts',
  'state',
  'status',
  'uptime',
];
