import type { Tone } from '../../../components/ui/badge';

/** An access status's colour wherever it is shown. */
export const accessTone = (status: string): Tone =>
  status === 'active' ? 'good' : status === 'on_hold' ? 'neutral' : status === 'disabled' ? 'warn' : 'bad';
