"""psgw-plugin-runner: runs one psmgmt-style route plugin for psgw-route.

psgw-route starts this as the job user (python3 -I -B) and sends one JSON object on
stdin: {"plugin": PATH, "a": [NODE...], "b": [NODE...], "gw": [ADDR...]}, every
list already sorted as psroute.py sorts it. Like psroute.py, the runner works in
$HOME (when it can change there) and appends the plugin's directory to sys.path, so a
plugin may import modules next to it or open files relative to $HOME. The plugin is
imported from PATH. As in psroute.py, routeConnectionX(nodesA, nodesB, gwList,
nodeA, nodeB) -> (err, gwAddr) is preferred over routeConnectionS(sizeA, sizeB,
numGw, i, j) -> (err, gwIndex); a name bound to None counts as not defined.

Output on the original stdout: one unsigned gateway index per (A, B) pair, A-major,
in native byte order, 1 byte wide for up to 256 gateways, 2 for up to 65536, else 4.
Anything the plugin prints goes to stderr. On failure the last stderr line starts
with "psgw-plugin-runner: " and the exit code is 2.
"""

import array
import importlib.machinery
import importlib.util
import json
import operator
import os
import sys
import traceback

MARK = "psgw-plugin-runner: "


class PluginFailure(Exception):
    """A plugin broke the route plugin contract."""


def short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def load_plugin(path):
    # psroute.py appended the plugin's directory (after the standard library).
    sys.path.append(os.path.dirname(os.path.abspath(path)))
    # SourceFileLoader accepts any file name, like psroute's import of "NAME" from a dir.
    loader = importlib.machinery.SourceFileLoader("psgw_route_plugin", path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def check_err(function, err, i, j):
    if err is None or (isinstance(err, int) and err == 0):
        return
    raise PluginFailure("%s returned error %s for pair (%d, %d)" % (function, short(err), i, j))


def unpack(function, result):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise PluginFailure("%s returned %s instead of (err, gateway)" % (function, short(result)))
    return result


def route_x(plugin, nodes_a, nodes_b, gateways, out):
    index_of = {gw: k for k, gw in enumerate(gateways)}
    function = plugin.routeConnectionX
    k = 0
    for i, node_a in enumerate(nodes_a):
        for j, node_b in enumerate(nodes_b):
            err, gw = unpack("routeConnectionX", function(nodes_a, nodes_b, gateways, node_a, node_b))
            check_err("routeConnectionX", err, i, j)
            try:
                out[k] = index_of[gw]
            except (KeyError, TypeError):
                raise PluginFailure("routeConnectionX returned unknown gateway %s for pair (%d, %d)"
                                    % (short(gw), i, j)) from None
            k += 1


def route_s(plugin, size_a, size_b, num_gw, out):
    function = plugin.routeConnectionS
    k = 0
    for i in range(size_a):
        for j in range(size_b):
            err, gw = unpack("routeConnectionS", function(size_a, size_b, num_gw, i, j))
            check_err("routeConnectionS", err, i, j)
            try:
                index = operator.index(gw)
            except TypeError:
                raise PluginFailure("routeConnectionS returned gateway index %s (not an integer)"
                                    % short(gw)) from None
            # psroute indexes a Python list, so -numGw..-1 count from the end.
            if index < -num_gw or index >= num_gw:
                raise PluginFailure("routeConnectionS returned gateway index %d out of range "
                                    "(%d gateways) for pair (%d, %d)" % (index, num_gw, i, j))
            out[k] = index % num_gw
            k += 1


def main():
    # Keep the real stdout for results; the plugin's prints must not corrupt them.
    result_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    # psroute.py ran in the job user's home directory; "/" stays if it is not there.
    try:
        os.chdir(os.environ["HOME"])
    except (KeyError, OSError):
        pass

    request = json.load(sys.stdin)
    path = request["plugin"]
    nodes_a, nodes_b, gateways = request["a"], request["b"], request["gw"]
    count = len(nodes_a) * len(nodes_b)
    typecode = "B" if len(gateways) <= 256 else ("H" if len(gateways) <= 65536 else "I")
    out = array.array(typecode, bytes(count * array.array(typecode).itemsize))

    try:
        plugin = load_plugin(path)
    except FileNotFoundError:
        raise PluginFailure("cannot read plugin file") from None
    if getattr(plugin, "routeConnectionX", None) is not None:
        route_x(plugin, nodes_a, nodes_b, gateways, out)
    elif getattr(plugin, "routeConnectionS", None) is not None:
        route_s(plugin, len(nodes_a), len(nodes_b), len(gateways), out)
    else:
        raise PluginFailure("neither routeConnectionX() nor routeConnectionS() defined")

    data = memoryview(out.tobytes())
    while data:
        written = os.write(result_fd, data)
        data = data[written:]


if __name__ == "__main__":
    try:
        main()
    except PluginFailure as failure:
        sys.stderr.write(MARK + str(failure) + "\n")
        sys.stderr.flush()
        os._exit(2)
    except BaseException as error:  # the plugin's own exception: report its last line
        lines = traceback.format_exception_only(type(error), error)
        last = lines[-1].strip() if lines else type(error).__name__
        sys.stderr.write(MARK + last + "\n")
        sys.stderr.flush()
        os._exit(2)
