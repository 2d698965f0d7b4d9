// The page's template tag and the names it gives the server's answer types (src/http/api-types.ts,
// imported type-only): every view imports these from here.
import { h } from 'preact';
import htm from 'htm';
import type { ChannelHealth, ContainerSummary, SystemAnswer } from '../../src/http/api-types.js';
import type { alertView } from '../../src/http/routes/alerts.js';

export type { FeedEvent } from './texts.js';

export const html = htm.bind(h);

export type Container = ContainerSummary;
export type Channel = ChannelHealth;
export type System = SystemAnswer;
export type Alert = ReturnType<typeof alertView>;
