export * from './panel-simulator';
export * from './control-server';
export { PanelState, clientKey } from './panel-state';
export type { SimTraffic, Client, Outcome, InboundFields } from './panel-state';
export type { SimInbound } from './seed-inbounds';
export { sortedPrettyJson } from './go-json';
export * from './subscription-server';
export { ClientsApi } from './clients-api';
