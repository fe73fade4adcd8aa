// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Chainlink's AggregatorV3Interface
/// @notice The read interface of Chainlink price feeds, declared here with the same
/// signatures (the Chainlink package is not among this project's dependencies).
interface AggregatorV3Interface {
    function decimals() external view returns (uint8);

    function description() external view returns (string memory);

    function version() external view returns (uint256);

    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
