import type { Scope } from '@fleet/contract';
import { Outlet } from 'react-router';
import { LoadError } from '../../components/ui/load-error';
import { useMe } from '../../lib/queries/me';
import { NotAllowed, PageLoading } from './page-states';

/** The pages under it for a caller with `scope`; anyone else is told their role may not `doing` (e.g. "manage admins"). */
export function RequireScope({ scope, doing }: { scope: Scope; doing: string }) {
  const me = useMe();
  if (me.data) return me.data.scopes.includes(scope) ? <Outlet /> : <NotAllowed me={me.data} doing={doing} />;
  if (me.error) {
    return (
      <LoadError title="Your permissions could not be loaded" error={me.error} onRetry={() => void me.refetch()} />
    );
  }
  return <PageLoading />;
}
