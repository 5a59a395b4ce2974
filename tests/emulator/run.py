"""Start the Alibaba Cloud API emulator: prints EMULATOR_URL=... once listening, stops on SIGTERM."""
import argparse
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator.server import make_server  # noqa: E402
from emulator.world import World  # noqa: E402


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be at least 1: {text}')
    return value


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--org', required=True, help='organisation YAML file')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0, help='0 picks a free port')
    parser.add_argument('--latency-ms', type=int, default=0, help='delay added to every API call')
    parser.add_argument('--qps', type=int, default=0, help='calls per second per action before Throttling.User')
    parser.add_argument('--fault-rate', type=float, default=0.0, help='fraction of calls answered ServiceUnavailable')
    parser.add_argument('--lost-response-rate', type=float, default=0.0,
                        help='fraction of applied writes whose answer is lost: a 503 or a dropped connection')
    parser.add_argument('--retry-after-ms', type=int, default=0,
                        help='sent as the x-acs-retry-after header with Throttling.User answers')
    parser.add_argument('--max-page-size', type=positive, default=None,
                        help='every paged list answers at most N items a page, whatever the request asks')
    parser.add_argument('--ecs-without-permission', choices=('empty', 'forbidden'), default='empty',
                        help='ECS DescribeInstances for a RAM user or role without permission: an empty list '
                             '(the API reference) or Forbidden.RAM (the change ECS announced for 2025-12-20)')
    parser.add_argument('--refuse-writes', metavar='CODE', default=None,
                        help='answer every write with this error code (400), as a used-up quota would; '
                             'reads are answered as usual')
    parser.add_argument('--seed', type=int, default=0, help='seed for fault injection and lost responses')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    world = World(args.org, qps=args.qps, fault_rate=args.fault_rate, seed=args.seed, latency_ms=args.latency_ms,
                  lost_response_rate=args.lost_response_rate, retry_after_ms=args.retry_after_ms,
                  max_page_size=args.max_page_size, ecs_without_permission=args.ecs_without_permission,
                  refuse_writes=args.refuse_writes)
    server = make_server(world, args.host, args.port)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1}, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    print(f'EMULATOR_URL=http://{host}:{port}', flush=True)
    stop.wait()
    server.shutdown()
    server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
