"""The error every handler raises: code, HTTP status and message, in the real body shape."""


class ApiError(Exception):
    def __init__(self, code, message, status=400, recommend=''):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.recommend = recommend


def missing(name):
    return ApiError('MissingParameter', f'The input parameter "{name}" that is mandatory for processing this request is not supplied.')


def invalid(name, value, why=''):
    detail = f' {why}' if why else ''
    return ApiError('InvalidParameter', f'The specified parameter "{name}" is not valid: {value!r}.{detail}')


def not_found(what):
    return ApiError('OBJECT_NOT_FOUND', f'The specified {what} does not exist.', status=404)


def dry_run_passed():
    """A DryRun request that passed every check (ECS: code and message from the DescribeInstances
    reference's error table)."""
    return ApiError('DryRunOperation', 'Request validation has been passed with DryRun flag set.')
