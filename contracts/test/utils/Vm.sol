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

    /// @notice A key pair as `createWallet` returns it.
    struct Wallet {
        address addr;
        uint256 publicKeyX;
        uint256 publicKeyY;
        uint256 privateKey;
    }

    /// @notice The address and public key of `privateKey`.
    function createWallet(uint256 privateKey) external returns (Wallet memory wallet);

    /// @notice Like `expectEmit` above, also checking that `emitter` emits the event.
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter) external;

    /// @notice Sets `block.chainid`.
    function chainId(uint256 newChainId) external;

    // Scripts (contracts/script) use these too.

    /// @notice Sends every following call as a transaction signed by `privateKey`.
    function startBroadcast(uint256 privateKey) external;

    /// @notice Ends `startBroadcast`.
    function stopBroadcast() external;

    /// @notice An environment variable as a uint256, or `defaultValue` when unset.
    function envOr(string calldata name, uint256 defaultValue) external view returns (uint256 value);

    /// @notice An environment variable as a string, or `defaultValue` when unset.
    function envOr(string calldata name, string calldata defaultValue) external view returns (string memory value);

    /// @notice The private key at `m/44'/60'/0'/0/index` of `mnemonic`.
    function deriveKey(string calldata mnemonic, uint32 index) external pure returns (uint256 privateKey);

    /// @notice An event log as `getRecordedLogs` returns it.
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    /// @notice Starts recording every emitted event.
    function recordLogs() external;

    /// @notice The events emitted since `recordLogs` (or the last call of this), and forgets them.
    function getRecordedLogs() external returns (Log[] memory logs);

    /// @notice Sets the ETH balance of `account` (tests only; a broadcast cannot do this).
    function deal(address account, uint256 newBalance) external;
}

// Where forge answers cheatcodes: address(bytes20(uint160(uint256(keccak256("hevm cheat code"))))).
Vm constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
