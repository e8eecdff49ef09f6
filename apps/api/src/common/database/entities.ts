import { Admin } from '../../modules/auth/admin.entity';
import { ApiToken } from '../../modules/auth/api-token.entity';
import { NodeGroup } from '../../modules/groups/group.entity';
import { NodeEntity } from '../../modules/nodes/node.entity';
import { EventEntity } from '../../modules/events/event.entity';
import { VpnUser } from '../../modules/users/vpn-user.entity';
import { Assignment } from '../../modules/assignments/assignment.entity';
import { Tombstone } from '../../modules/assignments/tombstone.entity';
import { Job, JobItem } from '../../modules/jobs/job.entity';
import { OutboxMessage } from '../../modules/outbox/outbox.entity';

export const ENTITIES = [
  Admin,
  ApiToken,
  NodeGroup,
  NodeEntity,
  EventEntity,
  VpnUser,
  Assignment,
  Tombstone,
  Job,
  JobItem,
  OutboxMessage,
];
