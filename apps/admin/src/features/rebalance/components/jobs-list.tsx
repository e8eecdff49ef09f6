import { useJobs } from '../../../lib/queries/jobs';
import { JobProgress } from '../../../components/job-progress';

export function JobsList() {
  const jobs = useJobs().data?.items ?? [];
  if (!jobs.length) return <p>No jobs yet.</p>;
  return (
    <ul className="jobs">
      {jobs.map((job) => (
        <li key={job.id}>
          <JobProgress job={job} />
        </li>
      ))}
    </ul>
  );
}
