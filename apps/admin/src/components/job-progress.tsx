import type { JobView } from '@fleet/contract';

/** A job's progress as a bar and in words. */
export function JobProgress({ job }: { job: JobView }) {
  const settled = job.done + job.failed;
  return (
    <div className="job-progress">
      <progress max={Math.max(1, job.total)} value={settled} aria-label={`job ${job.id} progress`} />
      <span>
        {job.kind} #{job.id}: {job.status}, {job.done} of {job.total} moved
        {job.failed ? `, ${job.failed} failed` : ''}
        {job.error ? ` (${job.error})` : ''}
      </span>
    </div>
  );
}
