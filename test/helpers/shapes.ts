/**
 * The JSON shapes DESIGN.md fixes for the API, NATS and the WebSocket, as sorted key lists: one place
 * to change when a shape grows (restarts for the status page, issue 10; host for fleets, issue 13).
 */
export const containerSummaryKeys = [
  'health',
  'healthTrend',
  'host',
  'id',
  'image',
  'labels',
  'lastHealthCheck',
  'name',
  'resources',
  'restarts',
  'status',
  'uptime',
];
