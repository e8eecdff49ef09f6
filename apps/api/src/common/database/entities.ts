import { Admin } from '../../modules/auth/admin.entity';
import { ApiToken } from '../../modules/auth/api-token.entity';
import { NodeEntity } from '../../modules/nodes/node.entity';
import { EventEntity } from '../../modules/events/event.entity';
import { VpnUser } from '../../modules/assignments/vpn-user.entity';
import { Assignment } from '../../modules/assignments/assignment.entity';

export const ENTITIES = [Admin, ApiToken, NodeEntity, EventEntity, VpnUser, Assignment];
