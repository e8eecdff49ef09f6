import { useParams } from 'react-router';
import { UserPage } from '../../features/users/components/user-page';

export function UserRoute() {
  return <UserPage id={Number(useParams()['id'])} />;
}
