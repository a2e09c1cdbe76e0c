// bull-board, the queue UI, mounted inside the dashboard's authenticated scope.
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import type { FastifyInstance } from "fastify";
import { queueNames, type Queues } from "../../queue.js";

export async function registerQueueUi(scope: FastifyInstance, queues: Queues, basePath: string): Promise<void> {
  const adapter = new FastifyAdapter();
  createBullBoard({
    queues: queueNames.map((name) => new BullMQAdapter(queues.get(name))),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: "LegoFactory queues" } },
  });
  adapter.setBasePath(basePath);
  await scope.register(adapter.registerPlugin());
}
