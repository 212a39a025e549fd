// NpsClient against the real server: ingest, queries and the errors the server sends.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Code } from "@connectrpc/connect";
import { AttributeScope, NpsClient, NpsError, RejectionReason, surveyResponse, type SurveyResponse } from "../src/index.js";
import { startServer, type RunningServer } from "./server.js";

const start = new Date(Date.UTC(2026, 2, 2, 9, 0));

function expectedNps(scores: number[]): number {
  const promoters = scores.filter((score) => score >= 9).length;
  const detractors = scores.filter((score) => score <= 6).length;
  return (100 * (promoters - detractors)) / scores.length;
}

function makeResponses(scores: number[], channel: string, firstIndex = 0): SurveyResponse[] {
  return scores.map((score, index) =>
    surveyResponse(
      `r-${channel}-${firstIndex + index}`,
      `c-${firstIndex + index}`,
      score,
      new Date(start.getTime() + (firstIndex + index) * 60_000),
      { attributes: { channel } },
    ),
  );
}

async function expectNpsError(call: Promise<unknown>): Promise<NpsError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof NpsError, `expected NpsError, got ${error}`);
    return error;
  }
  assert.fail("the call succeeded but an error was expected");
}

describe("NpsClient against the server", () => {
  let server: RunningServer;
  let client: NpsClient;

  before(async () => {
    server = await startServer();
    client = new NpsClient({ baseUrl: server.baseUrl, apiKey: server.apiKey });
  });

  after(async () => {
    client?.close();
    await server?.stop();
  });

  async function newSurvey(): Promise<string> {
    const surveyId = `ts-${randomUUID().replaceAll("-", "")}`;
    await client.createSurvey(surveyId, `TypeScript client test ${surveyId}`);
    return surveyId;
  }

  it("streamResponses acknowledges every batch", async () => {
    const surveyId = await newSurvey();
    const batches = [makeResponses([10, 9, 10], "web"), makeResponses([8, 7], "web", 3), makeResponses([5], "web", 5)];

    const results = await client.streamResponses(surveyId, batches, { batchIdPrefix: "load" });

    assert.deepEqual(results.map((result) => result.batchId), ["load-0", "load-1", "load-2"]);
    assert.deepEqual(results.map((result) => result.acceptedCount), [3, 2, 1]);
    assert.ok(results.every((result) => result.duplicateCount === 0));
    assert.ok(results.every((result) => result.rejectedCount === 0));
  });

  it("streamResponses resend counts duplicates", async () => {
    const surveyId = await newSurvey();
    const batches = [makeResponses([10, 6, 9], "app")];
    await client.streamResponses(surveyId, batches);

    const results = await client.streamResponses(surveyId, batches);

    assert.equal(results[0].acceptedCount, 0);
    assert.equal(results[0].duplicateCount, 3);
  });

  it("streamResponses reports a rejected item", async () => {
    const surveyId = await newSurvey();
    const batch = makeResponses([9, 10], "web");
    batch[1].score = 11;

    const [result] = await client.streamResponses(surveyId, [batch]);

    assert.equal(result.acceptedCount, 1);
    assert.equal(result.rejectedCount, 1);
    assert.equal(result.rejections[0].index, 1);
    assert.equal(result.rejections[0].fieldPath, "score");
    assert.equal(result.rejections[0].reason, RejectionReason.INVALID);
  });

  it("streamResponses takes an async generator", async () => {
    const surveyId = await newSurvey();
    async function* batches() {
      yield makeResponses([10], "web");
      yield makeResponses([0], "web", 1);
    }

    const results = await client.streamResponses(surveyId, batches());

    assert.equal(results.length, 2);
    assert.deepEqual(results.map((result) => result.acceptedCount), [1, 1]);
  });

  it("getNps overall and by channel", async () => {
    const surveyId = await newSurvey();
    const webScores = [10, 9, 10, 8, 7, 5, 6, 9, 10];
    const appScores = [9, 8, 6];
    await client.streamResponses(surveyId, [makeResponses(webScores, "web"), makeResponses(appScores, "app", 100)]);

    const answer = await client.getNps(surveyId, ["channel"], { minSampleSize: 1 });

    assert.equal(answer.overall?.responseCount, BigInt(webScores.length + appScores.length));
    assert.ok(Math.abs(answer.overall!.nps! - expectedNps([...webScores, ...appScores])) < 1e-9);
    const byChannel = new Map(answer.groups.map((group) => [group.keys[0].value, group.statistics!]));
    assert.deepEqual([...byChannel.keys()].sort(), ["app", "web"]);
    assert.ok(Math.abs(byChannel.get("web")!.nps! - 33.333333) < 1e-4);
    assert.ok(Math.abs(byChannel.get("web")!.nps! - expectedNps(webScores)) < 1e-9);
    assert.ok(Math.abs(byChannel.get("app")!.nps!) < 1e-9);
    assert.equal(byChannel.get("app")!.promoterCount, 1n);
  });

  it("getNps with a customer attribute group", async () => {
    const surveyId = await newSurvey();
    await client.streamResponses(surveyId, [makeResponses([10, 3], "web")]);

    const answer = await client.getNps(surveyId, [], {
      groupBy: [{ key: "region", scope: AttributeScope.CUSTOMER }],
    });

    assert.equal(answer.groups.length, 1);
    assert.equal(answer.groups[0].keys[0].value, undefined);
    assert.equal(answer.groups[0].statistics?.responseCount, 2n);
  });

  it("createSurvey invalid id has a field violation", async () => {
    const error = await expectNpsError(client.createSurvey("Not A Valid Id!", "Bad id"));

    assert.equal(error.code, Code.InvalidArgument);
    assert.equal(error.codeName, "INVALID_ARGUMENT");
    assert.equal(error.fieldViolations.length, 1);
    assert.equal(error.fieldViolations[0].field, "survey.survey_id");
    assert.match(error.fieldViolations[0].description, /Not A Valid Id!/);
    assert.match(error.message, /survey\.survey_id:/);
  });

  it("getNps invalid confidence level has a field violation", async () => {
    const surveyId = await newSurvey();

    const error = await expectNpsError(client.getNps(surveyId, [], { confidenceLevel: 1.5 }));

    assert.equal(error.code, Code.InvalidArgument);
    assert.deepEqual(error.fieldViolations.map((violation) => violation.field), ["confidence_level"]);
    assert.match(error.fieldViolations[0].description, /1\.5/);
  });

  it("streamResponses unknown survey is NOT_FOUND", async () => {
    const unknown = `ts-missing-${randomUUID().slice(0, 12)}`;

    const error = await expectNpsError(client.streamResponses(unknown, [makeResponses([9], "web")]));

    assert.equal(error.code, Code.NotFound);
    assert.deepEqual(error.fieldViolations, []);
  });

  it("streamResponses malformed survey id is INVALID_ARGUMENT", async () => {
    const error = await expectNpsError(client.streamResponses("UPPER CASE", [makeResponses([9], "web")]));

    assert.equal(error.code, Code.InvalidArgument);
    assert.equal(error.fieldViolations[0].field, "survey_id");
    assert.match(error.fieldViolations[0].description, /UPPER CASE/);
  });

  it("createSurvey twice is ALREADY_EXISTS", async () => {
    const surveyId = await newSurvey();

    const error = await expectNpsError(client.createSurvey(surveyId, "Second"));

    assert.equal(error.code, Code.AlreadyExists);
    assert.match(error.serverMessage, new RegExp(surveyId));
  });

  it("raw service client errors convert with NpsError.from", async () => {
    try {
      await client.surveys.getSurvey({ surveyId: "Bad Id" });
      assert.fail("the call succeeded but an error was expected");
    } catch (error) {
      const converted = NpsError.from(error);
      assert.equal(converted.code, Code.InvalidArgument);
      assert.equal(converted.fieldViolations[0].field, "survey_id");
    }
  });
});
