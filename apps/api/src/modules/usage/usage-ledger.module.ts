import { Module } from '@nestjs/common';
import { UsageLedger } from './usage-ledger.service';
import { UsageRepository } from './usage.repository';

/** The ledger itself (cursors, buckets, booking): a leaf, so the move engine and tombstones can book. */
@Module({
  providers: [UsageRepository, UsageLedger],
  exports: [UsageLedger],
})
export class UsageLedgerModule {}
