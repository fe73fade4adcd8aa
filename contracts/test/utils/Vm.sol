// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title The forge cheatcodes Tally's tests use
/// @notice A minimal subset of forge's `Vm` interface (forge-std is not
/// available offline). Signatures must match forge's exactly: the selector is
/// what the cheatcode handler dispatches on.
interface Vm {
    /// @notice Sets `block.timestamp`.
    function warp(uint256 newTimestamp) external;

    /// @notice Makes the next call's `msg.sender` be `msgSender`.
    function prank(address msgSender) external;

    /// @notice Makes every following call's `msg.sender` be `msgSender` until `stopPrank`.
    function startPrank(address msgSender) external;

    /// @notice Ends a `startPrank`.
    function stopPrank() external;

    /// @notice Expects the next call to revert with any data.
    function expectRevert() external;

    /// @notice Expects the next call to revert with a custom error of this selector.
    function expectRevert(bytes4 revertData) external;

    /// @notice Expects the next call to revert with exactly this data.
    function expectRevert(bytes calldata revertData) external;

    /// @notice Expects the next emitted event to match the one emitted after this call,
    /// comparing the topics and data selected by the flags.
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData) external;

    /// @notice Signs `digest` with `privateKey` (secp256k1, RFC 6979 nonces).
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);

    /// @notice The address of `privateKey`.
    function addr(uint256 privateKey) external pure returns (address keyAddr);

    /// @notice Discards the current fuzz input when `condition` is false.
    function assume(bool condition) external pure;
}

// Where forge answers cheatcodes: address(bytes20(uint160(uint256(keccak256("hevm cheat code"))))).
Vm constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
