import type { JobView } from '@fleet/contract';
import { Group, Text } from '@mantine/core';

/**
 * A job's progress as a bar and in words. The bar stays a native `<progress>`: its `max` is the job's total, where
 * Mantine's Progress only knows percentages.
 */
export function JobProgress({ job }: { job: JobView }) {
  const settled = job.done + job.failed;
  return (
    <Group gap="xs">
      <progress max={Math.max(1, job.total)} value={settled} aria-label={`job ${job.id} progress`} />
      <Text>
        {job.kind} #{job.id}: {job.status}, {job.done} of {job.total} moved
        {job.failed ? `, ${job.failed} failed` : ''}
        {job.error ? ` (${job.error})` : ''}
      </Text>
    </Group>
  );
}
