import type { ReactNode } from 'react';

export type Tone = 'good' | 'bad' | 'warn' | 'neutral';

/** A status label: the word carries the meaning, the colour only repeats it. */
export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export const healthTone = (health: string): Tone =>
  health === 'healthy' ? 'good' : health === 'unhealthy' ? 'bad' : 'neutral';
export const statusTone = (status: string): Tone =>
  status === 'active' ? 'good' : status === 'maintenance' ? 'warn' : 'neutral';
