#!/usr/bin/python3
"""Create a survey, stream two batches of responses and print NPS by channel.

Usage: NPS_API_KEY=KEY examples/stream_and_query.py [--target 127.0.0.1:50051] [--api-key KEY] [--tls]
Start a server first, for example with `make run` from the repository root, and create a key with
`nps keys create` (see the README of this folder). --api-key wins over NPS_API_KEY, but other users
of the machine can read command lines, so prefer the variable.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import grpc  # noqa: E402

from npsgrpc import NpsClient, NpsError, survey_response  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="127.0.0.1:50051", help="server host:port (default 127.0.0.1:50051)")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("NPS_API_KEY"),
        help="API key sent as 'authorization: Bearer KEY' (default: the NPS_API_KEY environment variable)",
    )
    parser.add_argument("--tls", action="store_true", help="connect with TLS using the system CA roots")
    arguments = parser.parse_args()

    survey_id = f"example-{uuid.uuid4().hex[:12]}"
    start = datetime.now(timezone.utc) - timedelta(days=1)
    scores = {"web": [10, 9, 10, 8, 7, 5, 6, 9, 10], "app": [9, 8, 6]}
    batches = [
        [
            survey_response(f"{channel}-{index}", f"customer-{index}", score, start + timedelta(minutes=index),
                            attributes={"channel": channel})
            for index, score in enumerate(channel_scores)
        ]
        for channel, channel_scores in scores.items()
    ]

    try:
        with NpsClient(arguments.target, api_key=arguments.api_key, tls=arguments.tls) as client:
            client.create_survey(survey_id, "Python client example")
            for result in client.stream_responses(survey_id, batches):
                print(f"batch {result.batch_id}: {result.accepted_count} accepted, "
                      f"{result.duplicate_count} duplicates, {result.rejected_count} rejected")

            answer = client.get_nps(survey_id, group_by=["channel"], min_sample_size=1)
    except NpsError as error:
        print(f"request failed: {error}", file=sys.stderr)
        if error.code == grpc.StatusCode.UNAUTHENTICATED and not arguments.api_key:
            print("no API key was sent: set NPS_API_KEY or pass --api-key", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"request failed: {error}", file=sys.stderr)
        return 1

    print(f"survey {survey_id}: NPS {answer.overall.nps:.1f} (n={answer.overall.response_count})")
    for group in answer.groups:
        statistics = group.statistics
        interval = statistics.confidence_interval
        print(f"  {group.keys[0].value:<4} NPS {statistics.nps:6.1f} [{interval.lower:.1f}, {interval.upper:.1f}] "
              f"n={statistics.response_count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
