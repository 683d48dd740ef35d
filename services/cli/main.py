"""Entry point of the `mediacenter` command: the argument parser and the dispatch to each command."""

from __future__ import annotations

import argparse
import os
import sys

from services.cli import folders, library, listings
from services.cli.config import LOOKUP_HELP, Connection
from services.cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, CliError
from services.cli.folders import KINDS
from services.cli.gateway import Gateway
from services.cli.library import DEFAULT_LIMIT, SearchOptions, parse_day
from services.cli.sizes import SIZE_HELP, parse_size
from services.cli.upload import MAX_JOBS, UploadOptions, run_upload

DESCRIPTION = """\
Work with the Product Media Center from a terminal: upload many files at once, search the
library, export URLs, set a listing's media, and (for operators) create sellers and keys.
"""


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _day(text: str) -> str:
    try:
        return parse_day(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _connection_options(parser: argparse.ArgumentParser, *, http: bool, grpc: bool) -> None:
    # SUPPRESS lets the options stand before or after the command name without one erasing the other.
    group = parser.add_argument_group("connection")
    if http:
        group.add_argument(
            "--url", default=argparse.SUPPRESS, help="gateway base URL, for example http://127.0.0.1:8080"
        )
        group.add_argument("--api-key", default=argparse.SUPPRESS, help="the seller's API key")
    if grpc:
        group.add_argument(
            "--catalogue", default=argparse.SUPPRESS, metavar="HOST:PORT", help="catalogue gRPC address"
        )
        group.add_argument(
            "--storage", default=argparse.SUPPRESS, metavar="HOST:PORT", help="storage gRPC address"
        )
    group.add_argument(
        "--timeout",
        type=float,
        default=argparse.SUPPRESS,
        metavar="SECONDS",
        help="seconds to wait for each response from the server (default: 60)",
    )


def _add_command(
    commands: argparse._SubParsersAction,
    name: str,
    summary: str,
    *,
    http: bool = True,
    grpc: bool = False,
    description: str = "",
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        name,
        help=summary,
        description=(description or summary) + "\n\n" + LOOKUP_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _connection_options(parser, http=http, grpc=grpc)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mediacenter",
        description=DESCRIPTION + "\n" + LOOKUP_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Exit status: 0 on success, 1 when something failed, 2 for invalid arguments, 130 after Ctrl-C.",
    )
    _connection_options(parser, http=True, grpc=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    commands.add_parser(
        "up",
        help="run the whole Media Center on this machine until Ctrl-C (`mediacenter up --help` for its options)",
        add_help=False,
    ).add_argument("up_arguments", nargs=argparse.REMAINDER)

    upload = _add_command(
        commands,
        "upload",
        "upload files and folders in parallel, then print every file's result",
        description=(
            "Upload files and folders, each file as its own request, several at once, with one progress bar.\n"
            "Folders are searched recursively for .jpg, .jpeg, .png and .mp4 files (hidden ones skipped); a file\n"
            "named directly is sent whatever its name, because the server judges the content, not the name.\n"
            "Each file carries an Idempotency-Key made from its path, size and modification time, so a retry or\n"
            "a second run stores nothing twice: files already in the library are reported as duplicates.\n"
            "Exit status: 0 when every file was accepted or a duplicate, 1 otherwise, 130 after Ctrl-C\n"
            "(which cancels the uploads in flight and prints the results so far)."
        ),
    )
    upload.add_argument("paths", nargs="+", metavar="PATH", help="a file or a folder to upload")
    upload.add_argument(
        "--folder",
        metavar="NAME-OR-ID",
        help="target folder: an id, or a name matched without regard to case among folders of each file's "
        "kind (default: the default image or video folder)",
    )
    upload.add_argument(
        "--jobs",
        type=int,
        default=4,
        metavar="N",
        help=f"number of files uploaded at once, 1 to {MAX_JOBS} (default: 4)",
    )
    upload.add_argument(
        "--json", action="store_true", help="print one JSON document with every result instead of a table"
    )

    search = _add_command(commands, "search", "find media by name, day, kind or folder, newest first")
    search.add_argument(
        "query", nargs="?", default="", help="words or parts of words of the name, ignoring case"
    )
    search.add_argument(
        "--on", type=_day, metavar="DAY", help="only media uploaded on this day, YYYY-MM-DD in UTC"
    )
    search.add_argument(
        "--from", dest="date_from", type=_day, metavar="DAY", help="first day, YYYY-MM-DD in UTC, inclusive"
    )
    search.add_argument(
        "--to", dest="date_to", type=_day, metavar="DAY", help="last day, YYYY-MM-DD in UTC, inclusive"
    )
    search.add_argument("--kind", choices=KINDS, help="only images or only videos")
    search.add_argument(
        "--folder", metavar="NAME-OR-ID", help="only media in this folder (an id, or a name ignoring case)"
    )
    search.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"number of items to list (default: {DEFAULT_LIMIT})",
    )
    search.add_argument(
        "--all", dest="fetch_all", action="store_true", help="list every match, ignoring --limit"
    )
    search.add_argument("--json", action="store_true", help="print the items as JSON")

    export = _add_command(
        commands, "export-urls", "print the public URLs of media items, one per line, in the given order"
    )
    export.add_argument("ids", nargs="+", metavar="ID", help="a media id")
    export.add_argument(
        "--json", action="store_true", help='print {"urls": [...]} instead of one URL per line'
    )

    listing = _add_command(commands, "listing", "set, show or export the media of marketplace listings")
    listing_commands = listing.add_subparsers(dest="listing_command", metavar="ACTION", required=True)
    listing_set = _add_command(
        listing_commands,
        "set",
        "replace a listing's media: up to 9 images in order (the first is the main image), a video, a size chart",
    )
    listing_set.add_argument("listing_id", metavar="LISTING", help="the listing id")
    listing_set.add_argument(
        "--images", nargs="*", default=[], metavar="ID", help="image media ids in display order"
    )
    listing_set.add_argument("--video", metavar="ID", help="the video media id")
    listing_set.add_argument("--size-chart", metavar="ID", help="the size chart image media id")
    listing_set.add_argument(
        "--if-match",
        metavar="VERSION",
        help="replace only if the listing is still at this version, for example v3 as shown by `listing show`; "
        "a listing changed since then fails with HTTP 412",
    )
    listing_set.add_argument("--json", action="store_true", help="print the listing as JSON")
    listing_show = _add_command(listing_commands, "show", "show a listing's media in order, with URLs")
    listing_show.add_argument("listing_id", metavar="LISTING", help="the listing id")
    listing_show.add_argument("--json", action="store_true", help="print the listing as JSON")
    listing_csv = _add_command(
        listing_commands,
        "export-csv",
        "write a CSV with one row per listing: id, main image URL, image 2 to 9 URLs, size chart URL, video URL",
    )
    listing_csv.add_argument("listing_ids", nargs="+", metavar="LISTING", help="a listing id")
    listing_csv.add_argument(
        "-o", "--output", metavar="FILE", help="write the CSV to FILE (default: standard output)"
    )

    capacity = _add_command(commands, "capacity", "show the storage used and the quota")
    capacity.add_argument("--json", action="store_true", help="print {used_bytes, total_bytes} as JSON")

    folder_list = _add_command(commands, "folders", "list the folders with their kind and item count")
    folder_list.add_argument("--json", action="store_true", help="print the folders as JSON")
    folder = _add_command(commands, "folder", "manage folders")
    folder_commands = folder.add_subparsers(dest="folder_command", metavar="ACTION", required=True)
    folder_create = _add_command(folder_commands, "create", "create a folder for images or for videos")
    folder_create.add_argument("name", help="folder name, unique per kind ignoring case")
    folder_create.add_argument(
        "--kind", choices=KINDS, required=True, help="the kind of media stored in the folder"
    )
    folder_create.add_argument("--json", action="store_true", help="print the new folder as JSON")
    folder_rename = _add_command(folder_commands, "rename", "give a folder a new name")
    folder_rename.add_argument("folder", metavar="NAME-OR-ID", help="the folder: an id, or its name ignoring case")
    folder_rename.add_argument("new_name", metavar="NEW-NAME", help="the new name, unique per kind ignoring case")
    folder_rename.add_argument("--kind", choices=KINDS, help="which folder, when an image and a video folder share the name")
    folder_rename.add_argument("--json", action="store_true", help="print the renamed folder as JSON")
    folder_delete = _add_command(folder_commands, "delete", "delete an empty folder that is not a default folder")
    folder_delete.add_argument("folder", metavar="NAME-OR-ID", help="the folder: an id, or its name ignoring case")
    folder_delete.add_argument("--kind", choices=KINDS, help="which folder, when an image and a video folder share the name")

    delete = _add_command(commands, "delete", "delete media items from the library")
    delete.add_argument("ids", nargs="+", metavar="MEDIA_ID", help="ids of the items, as `mediacenter search` shows them")
    delete.add_argument(
        "--detach", action="store_true", help="also remove each item from every listing that uses it"
    )

    seller = _add_command(
        commands,
        "seller",
        "operators: create sellers and set quotas (gRPC to the catalogue)",
        http=False,
        grpc=True,
    )
    seller_commands = seller.add_subparsers(dest="seller_command", metavar="ACTION", required=True)
    seller_create = _add_command(
        seller_commands,
        "create",
        "create a seller with default folders and print its id and first API key",
        http=False,
        grpc=True,
    )
    seller_create.add_argument("name", help="the seller's display name, 1 to 200 characters")
    seller_create.add_argument(
        "--quota", type=_size, metavar="SIZE", help=f"storage quota (default: 5 GiB); {SIZE_HELP}"
    )
    seller_create.add_argument(
        "--json", action="store_true", help='print exactly {"seller_id": ..., "api_key": ...}'
    )
    seller_quota = _add_command(
        seller_commands, "set-quota", "change a seller's storage quota", http=False, grpc=True
    )
    seller_quota.add_argument("seller_id", metavar="SELLER_ID", help="the seller id")
    seller_quota.add_argument(
        "quota", type=_size, metavar="SIZE", help=f"the new quota, not below what is used; {SIZE_HELP}"
    )

    key = _add_command(
        commands,
        "key",
        "operators: create and revoke API keys (gRPC to the catalogue)",
        http=False,
        grpc=True,
    )
    key_commands = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    key_create = _add_command(
        key_commands, "create", "create another API key for a seller", http=False, grpc=True
    )
    key_create.add_argument("seller_id", metavar="SELLER_ID", help="the seller id")
    key_create.add_argument("--json", action="store_true", help="print the key and its id as JSON")
    key_revoke = _add_command(
        key_commands, "revoke", "revoke an API key so requests with it are rejected", http=False, grpc=True
    )
    key_revoke.add_argument(
        "key_id", metavar="KEY_ID", help="the API key id (printed when the key was created)"
    )

    sweep = _add_command(
        commands,
        "sweep",
        "operators: remove stored blobs that no media record points at, now (gRPC to storage)",
        http=False,
        grpc=True,
    )
    sweep.add_argument(
        "--grace",
        type=int,
        metavar="SECONDS",
        help="only remove blobs stored more than this many seconds ago, at least 1 "
        "(default: the storage service's setting, one hour unless configured)",
    )
    sweep.add_argument(
        "--dry-run", action="store_true", help="list what would be removed without removing it"
    )
    sweep.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _connection(arguments: argparse.Namespace) -> Connection:
    timeout = getattr(arguments, "timeout", 60.0)
    if not timeout > 0:
        raise CliError(f"Invalid --timeout {timeout}: give a number of seconds above 0.", EXIT_USAGE)
    return Connection(
        url=getattr(arguments, "url", None),
        api_key=getattr(arguments, "api_key", None),
        catalogue=getattr(arguments, "catalogue", None),
        storage=getattr(arguments, "storage", None),
        timeout_seconds=timeout,
    )


def _dispatch(arguments: argparse.Namespace) -> int:
    connection = _connection(arguments)
    json_output = getattr(arguments, "json", False)
    if arguments.command == "upload":
        options = UploadOptions(arguments.paths, arguments.folder, arguments.jobs, json_output)
        return run_upload(connection, options)
    if arguments.command in ("seller", "key", "sweep"):
        return _dispatch_admin(connection, arguments, json_output)
    with Gateway(connection) as gateway:
        return _dispatch_gateway(gateway, arguments, json_output)


def _dispatch_gateway(gateway: Gateway, arguments: argparse.Namespace, json_output: bool) -> int:
    command = arguments.command
    if command == "search":
        options = SearchOptions(
            query=arguments.query,
            on=arguments.on,
            date_from=arguments.date_from,
            date_to=arguments.date_to,
            kind=arguments.kind,
            folder=arguments.folder,
            limit=arguments.limit,
            fetch_all=arguments.fetch_all,
            as_json=json_output,
        )
        return library.search(gateway, options)
    if command == "export-urls":
        return library.export_urls(gateway, arguments.ids, json_output)
    if command == "capacity":
        return library.capacity(gateway, json_output)
    if command == "folders":
        return folders.show_folders(gateway, json_output)
    if command == "folder":
        if arguments.folder_command == "rename":
            return folders.rename_folder(gateway, arguments.folder, arguments.new_name, arguments.kind, json_output)
        if arguments.folder_command == "delete":
            return folders.delete_folder(gateway, arguments.folder, arguments.kind)
        return folders.create_folder(gateway, arguments.name, arguments.kind, json_output)
    if command == "delete":
        return library.delete_media(gateway, arguments.ids, arguments.detach)
    if command == "listing":
        return _listing(gateway, arguments, json_output)
    raise AssertionError(f"unhandled command {command!r}")


def _dispatch_admin(connection: Connection, arguments: argparse.Namespace, json_output: bool) -> int:
    # Imported here: gRPC and the shared runtime take a while to load, and only operators need them.
    from services.cli import admin

    command = arguments.command
    if command == "seller":
        if arguments.seller_command == "create":
            return admin.create_seller(connection, arguments.name, arguments.quota, json_output)
        return admin.set_seller_quota(connection, arguments.seller_id, arguments.quota)
    if command == "key":
        if arguments.key_command == "create":
            return admin.create_key(connection, arguments.seller_id, json_output)
        return admin.revoke_key(connection, arguments.key_id)
    if command == "sweep":
        if arguments.grace is not None and arguments.grace < 1:
            raise CliError(
                f"Invalid --grace {arguments.grace}: give at least 1 second, or leave it out.", EXIT_USAGE
            )
        return admin.sweep(connection, arguments.grace, arguments.dry_run, json_output)
    raise AssertionError(f"unhandled command {command!r}")


def _listing(gateway: Gateway, arguments: argparse.Namespace, json_output: bool) -> int:
    if arguments.listing_command == "set":
        return listings.set_listing(
            gateway,
            arguments.listing_id,
            arguments.images,
            arguments.video,
            arguments.size_chart,
            arguments.if_match,
            json_output,
        )
    if arguments.listing_command == "show":
        return listings.show_listing(gateway, arguments.listing_id, json_output)
    return listings.export_csv(gateway, arguments.listing_ids, arguments.output)


def _run_embedded(arguments: list[str]) -> int:
    # Imported only here: the embedded run needs packages that the other commands do not.
    from services.devstack import embedded

    return embedded.main(arguments)


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit status (also used as the console script's exit code)."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["up"]:
            return _run_embedded(argv[1:])
        arguments = build_parser().parse_args(argv)
        return _dispatch(arguments)
    except CliError as error:
        print(f"Error: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of the output went away (for example `| head`). Pointing standard output at
        # /dev/null keeps the interpreter's final flush from printing a second error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
