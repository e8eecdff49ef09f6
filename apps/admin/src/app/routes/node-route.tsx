import { useParams } from 'react-router';
import { NodePage } from '../../features/nodes/components/node-page';
import { UsersPage } from '../../features/users/components/users-page';

/** A node's page with its users below: features composed here, never inside each other. */
export function NodeRoute() {
  const id = Number(useParams()['id']);
  return (
    <>
      <NodePage id={id} />
      <h2>Users</h2>
      <UsersPage nodeId={id} />
    </>
  );
}
