// Creates a survey, streams two batches of responses and prints NPS by channel.
//
// Usage: NPS_API_KEY=KEY npm run example -- [--base-url http://127.0.0.1:50051] [--api-key KEY]
// Start a server first, for example with `make run` from the repository root, and create a key
// with `nps keys create` (see the README of this folder). --api-key wins over NPS_API_KEY, but
// other users of the machine can read command lines, so prefer the variable.
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { Code } from "@connectrpc/connect";
import { NpsClient, NpsError, surveyResponse } from "../src/index.js";

const { values } = parseArgs({
  options: {
    "base-url": { type: "string", default: "http://127.0.0.1:50051" },
    "api-key": { type: "string" },
  },
});

const surveyId = `example-${randomUUID().slice(0, 12)}`;
const start = Date.now() - 24 * 3600 * 1000;
const scores: Record<string, number[]> = { web: [10, 9, 10, 8, 7, 5, 6, 9, 10], app: [9, 8, 6] };
const batches = Object.entries(scores).map(([channel, channelScores]) =>
  channelScores.map((score, index) =>
    surveyResponse(`${channel}-${index}`, `customer-${index}`, score, new Date(start + index * 60_000), {
      attributes: { channel },
    }),
  ),
);

const apiKey = values["api-key"] ?? process.env.NPS_API_KEY;
let client: NpsClient;
try {
  client = new NpsClient({ baseUrl: values["base-url"]!, apiKey });
} catch (error) {
  console.error(`request failed: ${(error as Error).message}`);
  process.exit(1);
}
try {
  await client.createSurvey(surveyId, "TypeScript client example");
  for (const result of await client.streamResponses(surveyId, batches)) {
    console.log(
      `batch ${result.batchId}: ${result.acceptedCount} accepted, ${result.duplicateCount} duplicates, ` +
        `${result.rejectedCount} rejected`,
    );
  }

  const answer = await client.getNps(surveyId, ["channel"], { minSampleSize: 1 });
  console.log(`survey ${surveyId}: NPS ${answer.overall?.nps?.toFixed(1)} (n=${answer.overall?.responseCount})`);
  for (const group of answer.groups) {
    const statistics = group.statistics!;
    const interval = statistics.confidenceInterval!;
    console.log(
      `  ${group.keys[0].value?.padEnd(4)} NPS ${statistics.nps?.toFixed(1).padStart(6)} ` +
        `[${interval.lower.toFixed(1)}, ${interval.upper.toFixed(1)}] n=${statistics.responseCount}`,
    );
  }
} catch (error) {
  const failure = NpsError.from(error);
  console.error(`request failed: ${failure.message}`);
  if (failure.code === Code.Unauthenticated && !apiKey) {
    console.error("no API key was sent: set NPS_API_KEY or pass --api-key");
  }
  process.exitCode = 1;
} finally {
  client.close();
}
