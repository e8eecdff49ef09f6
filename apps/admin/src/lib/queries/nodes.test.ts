import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { refreshAfterNodeChange } from './nodes';

describe('a node change in the SPA', () => {
  it("marks the node lists and the groups' node counts for refetching, and only what it is told besides", async () => {
    const client = new QueryClient();
    for (const key of [['nodes'], ['nodes', 'page', {}, 1], ['groups'], ['jobs'], ['users']])
      client.setQueryData(key, []);
    const invalidated = () =>
      client
        .getQueryCache()
        .getAll()
        .filter((query) => query.state.isInvalidated)
        .map((query) => JSON.stringify(query.queryKey))
        .sort();

    await refreshAfterNodeChange(client);
    expect(invalidated()).toEqual(['["groups"]', '["nodes","page",{},1]', '["nodes"]']);

    await refreshAfterNodeChange(client, [['jobs']]);
    expect(invalidated()).toEqual(['["groups"]', '["jobs"]', '["nodes","page",{},1]', '["nodes"]']);
  });
});
