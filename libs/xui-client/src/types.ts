/** Wire types of the 3x-ui API (spec §6, §8). `settings`, `streamSettings` and `sniffing` are JSON text. */
export interface Inbound {
  id: number;
  up: number;
  down: number;
  total: number;
  remark: string;
  enable: boolean;
  expiryTime: number;
  listen: string;
  port: number;
  protocol: string;
  settings: string;
  streamSettings: string;
  tag: string;
  sniffing: string;
  clientStats: ClientTraffic[] | null;
}

/** A client as it sits in `settings.clients[]`. Unknown keys are kept by the panel. */
export interface PanelClient {
  id?: string;
  password?: string;
  security?: string;
  flow?: string;
  email: string;
  limitIp?: number;
  totalGB?: number;
  expiryTime?: number;
  enable?: boolean;
  tgId?: number | string;
  subId?: string;
  comment?: string;
  reset?: number;
  [key: string]: unknown;
}

export interface ClientTraffic {
  id: number;
  inboundId: number;
  enable: boolean;
  email: string;
  uuid?: string;
  subId?: string;
  up: number;
  down: number;
  allTime?: number;
  expiryTime: number;
  total: number;
  reset?: number;
  lastOnline?: number;
}

export interface ServerStatus {
  cpu: number;
  mem: { current: number; total: number };
  xray: { state: 'running' | 'stop' | 'error' | string; errorMsg: string; version: string };
  uptime: number;
  /** v3+ only. */
  panelVersion?: string;
  [key: string]: unknown;
}

/** Which API the panel speaks (spec §1, §3.5). */
export type ApiGeneration =
  | 'legacy' // ≤ v2.6: status is POST BASE server/status
  | 'classic' // v2.7 – v3.0: /panel/api/inbounds/* and /panel/api/server/*
  | 'clients'; // v3.1+: email-keyed /panel/api/clients/*

export interface PanelEnvelope<T> {
  success: boolean;
  msg: string;
  obj: T;
}
