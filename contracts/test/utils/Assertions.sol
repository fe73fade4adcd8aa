// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @title Assertions for forge tests without forge-std
/// @notice Each check reverts with a message naming both values, which forge
/// prints as the failure reason.
abstract contract Assertions {
    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) {
            revert(string.concat(what, ": expected true"));
        }
    }

    function assertEq(uint256 actual, uint256 expected, string memory what) internal pure {
        if (actual != expected) {
            revert(string.concat(what, ": got ", Strings.toString(actual), ", expected ", Strings.toString(expected)));
        }
    }

    function assertEq(address actual, address expected, string memory what) internal pure {
        if (actual != expected) {
            revert(
                string.concat(what, ": got ", Strings.toHexString(actual), ", expected ", Strings.toHexString(expected))
            );
        }
    }

    function assertEq(bytes32 actual, bytes32 expected, string memory what) internal pure {
        if (actual != expected) {
            revert(
                string.concat(
                    what,
                    ": got ",
                    Strings.toHexString(uint256(actual), 32),
                    ", expected ",
                    Strings.toHexString(uint256(expected), 32)
                )
            );
        }
    }

    function assertEq(string memory actual, string memory expected, string memory what) internal pure {
        if (!Strings.equal(actual, expected)) {
            revert(string.concat(what, ": got \"", actual, "\", expected \"", expected, "\""));
        }
    }
}
