import { InitialSchema1763760000000 } from './1763760000000-initial-schema';
import { PlacementAndJobs1763850000000 } from './1763850000000-placement-and-jobs';
import { HealthHistory1763900000000 } from './1763900000000-health-history';
import { Hardening1764000000000 } from './1764000000000-hardening';
import { UserAccess1764100000000 } from './1764100000000-user-access';
import { UsageLedger1764200000000 } from './1764200000000-usage-ledger';
import { NodeDrift1764300000000 } from './1764300000000-node-drift';
import { UsageNodeCursors1764400000000 } from './1764400000000-usage-node-cursors';
import { InboundDrift1764500000000 } from './1764500000000-inbound-drift';
import { ListIndexes1764600000000 } from './1764600000000-list-indexes';
import { HealthSweeps1764700000000 } from './1764700000000-health-sweeps';
import { UserCounts1764710000000 } from './1764710000000-user-counts';
import { UsernameSearch1764720000000 } from './1764720000000-username-search';
import { RebalancePick1764730000000 } from './1764730000000-rebalance-pick';
import { TopUsers1764740000000 } from './1764740000000-top-users';
import { IdempotentRequests1764800000000 } from './1764800000000-idempotent-requests';
import { ClassifiedPanelErrors1764810000000 } from './1764810000000-classified-panel-errors';
import { DriftAfterRepair1764820000000 } from './1764820000000-drift-after-repair';
import { UsageBookedEveryPass1764821000000 } from './1764821000000-usage-booked-every-pass';
import { UsageCursorCompression1764822000000 } from './1764822000000-usage-cursor-compression';
import { JobGoneUsers1764830000000 } from './1764830000000-job-gone-users';
import { OrderedWebhooks1764840000000 } from './1764840000000-ordered-webhooks';
import { NodeGroups1764850000000 } from './1764850000000-node-groups';
import { SeatsPerGroup1764860000000 } from './1764860000000-seats-per-group';
import { LiveUsersById1764870000000 } from './1764870000000-live-users-by-id';
import { BotLookups1764880000000 } from './1764880000000-bot-lookups';
import { UserDevices1764890000000 } from './1764890000000-user-devices';
import { EventsByUser1764900000000 } from './1764900000000-events-by-user';
import { UsersByExpiry1764910000000 } from './1764910000000-users-by-expiry';
import { NodeServerFigures1764920000000 } from './1764920000000-node-server-figures';
import { TelegramAlerts1764930000000 } from './1764930000000-telegram-alerts';
import { AdminRoles1764940000000 } from './1764940000000-admin-roles';
import { EventsKeepUserIds1764950000000 } from './1764950000000-events-keep-user-ids';
import { FewerAssignmentIndexes1764960000000 } from './1764960000000-fewer-assignment-indexes';

/** Every migration, oldest first. Listed explicitly so the bundled app and the CLI see the same set. */
export const MIGRATIONS = [
  InitialSchema1763760000000,
  PlacementAndJobs1763850000000,
  HealthHistory1763900000000,
  Hardening1764000000000,
  UserAccess1764100000000,
  UsageLedger1764200000000,
  NodeDrift1764300000000,
  UsageNodeCursors1764400000000,
  InboundDrift1764500000000,
  ListIndexes1764600000000,
  HealthSweeps1764700000000,
  UserCounts1764710000000,
  UsernameSearch1764720000000,
  RebalancePick1764730000000,
  TopUsers1764740000000,
  IdempotentRequests1764800000000,
  ClassifiedPanelErrors1764810000000,
  DriftAfterRepair1764820000000,
  UsageBookedEveryPass1764821000000,
  UsageCursorCompression1764822000000,
  JobGoneUsers1764830000000,
  OrderedWebhooks1764840000000,
  NodeGroups1764850000000,
  SeatsPerGroup1764860000000,
  LiveUsersById1764870000000,
  BotLookups1764880000000,
  UserDevices1764890000000,
  EventsByUser1764900000000,
  UsersByExpiry1764910000000,
  NodeServerFigures1764920000000,
  TelegramAlerts1764930000000,
  AdminRoles1764940000000,
  EventsKeepUserIds1764950000000,
  FewerAssignmentIndexes1764960000000,
];
